import {
  type ColivaraEvent as CoreColivaraEvent,
  type RegisteredMetadata,
  type UnknownEvent,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "@colivara/webhooks";
import { createParamDecorator, type ExecutionContext, UseFilters, UseGuards } from "@nestjs/common";
import { colivaraRouteFilter, colivaraRouteGuard } from "./route-guard.js";
import { verifiedOf } from "./verified-requests.js";

/** The event types a handler can be declared for; `unknown` catches types this version does not know. */
export type ColivaraEventType = "upsert.success" | "upsert.fail" | "unknown";

/** One `@OnColivaraEvent()` declaration on a method. */
export interface HandlerDeclaration {
  readonly type: ColivaraEventType;
  /** The module registration (its `path`) the handler belongs to; needed only with several. */
  readonly path: string | undefined;
}

// Keyed by the decorated method itself, read back by the module's discovery.
const declarations = new WeakMap<object, HandlerDeclaration[]>();
const webhookRoutes = new WeakSet<object>();

/** The `@OnColivaraEvent()` declarations of a method, if any. */
export function handlerDeclarationsOf(method: unknown): readonly HandlerDeclaration[] {
  return (typeof method === "function" && declarations.get(method)) || [];
}

/** True when the method is a route decorated with `@ColivaraWebhook()`. */
export function isWebhookRoute(method: unknown): boolean {
  return typeof method === "function" && webhookRoutes.has(method);
}

/**
 * Declares a provider method as the handler of one event type, run by the module's route
 * (`ColivaraWebhooksModule.forRoot`) once the delivery is verified and claimed: it gets the
 * event, then the whole verified delivery. Returning answers 204; a throw answers 500 (so
 * ColiVara retries) and reaches `onError`. Several methods may handle one type: they run in
 * turn. With several module registrations, name the registration's `path`.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class DocumentEvents {
 *   @OnColivaraEvent("upsert.success")
 *   async ready(event: UpsertSuccessEvent) {
 *     console.log(`${event.name}: ${event.num_pages} pages`);
 *   }
 * }
 * ```
 */
export function OnColivaraEvent<T extends ColivaraEventType>(
  type: T,
  options: { path?: string } = {},
): EventHandlerDecorator<EventOfType<T>> {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    declarations.set(method, [...handlerDeclarationsOf(method), { type, path: options.path }]);
  };
}

/** The event a handler of `T` gets: its metadata typed as declared in `Register`. */
export type EventOfType<T extends ColivaraEventType> = T extends "unknown"
  ? UnknownEvent
  : Extract<CoreColivaraEvent<RegisteredMetadata>, { type: T }>;

/**
 * A method decorator that accepts only a method able to take `E` (then the whole delivery):
 * `@OnColivaraEvent("upsert.fail")` on `(event: UpsertSuccessEvent) => …` does not compile.
 */
export type EventHandlerDecorator<E> = <
  H extends (event: E, webhook: VerifiedWebhook<E & CoreColivaraEvent<RegisteredMetadata>>) => unknown,
>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<H>,
) => void;

/**
 * Marks a controller route as the webhook route (the plain form): the module verified and
 * claimed the delivery before Nest parsed its body, so the method runs only for a genuine
 * delivery, and reads it with `@ColivaraEvent()` or `@ColivaraDelivery()`. A throw answers
 * 500 `handler_failed` (so ColiVara retries) and reaches `onError`. The route's full path
 * (global prefix included) must be the module's `path`: anywhere else the route answers 500
 * and never runs (fail closed).
 *
 * @example
 * ```ts
 * @Controller("webhooks")
 * export class WebhooksController {
 *   @Post("colivara")
 *   @HttpCode(204)
 *   @ColivaraWebhook()
 *   receive(@ColivaraEvent() event: ColivaraEvent) {
 *     if (event.type === "upsert.success") console.log(event.name);
 *   }
 * }
 * ```
 */
export function ColivaraWebhook(): MethodDecorator {
  const guard = UseGuards(colivaraRouteGuard);
  const filter = UseFilters(colivaraRouteFilter);
  return (target, key, descriptor) => {
    guard(target, key, descriptor);
    filter(target, key, descriptor);
    webhookRoutes.add(descriptor.value as object);
  };
}

function verifiedWebhook(context: ExecutionContext): VerifiedWebhook<CoreColivaraEvent<RegisteredMetadata>> {
  const found = verifiedOf(context.switchToHttp().getRequest<object>());
  if (found !== undefined) return found.webhook;
  throw new WebhookVerificationError(
    "invalid_config",
    "@ColivaraEvent() and @ColivaraDelivery() read a delivery the module verified: add @ColivaraWebhook() to this route, at the module's path.",
  );
}

/**
 * The verified, typed event (`event.type` narrows; `metadata` has the type declared in
 * `Register`). Also the type of that event, so one import serves both.
 */
export const ColivaraEvent: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => verifiedWebhook(context).event,
);
/** The verified event: the core's union, `metadata` typed as declared in `Register`. */
export type ColivaraEvent<M = RegisteredMetadata> = CoreColivaraEvent<M>;

/** The whole verified delivery: `id`, `timestamp` and `event`. */
export const ColivaraDelivery: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => verifiedWebhook(context),
);
