import {
  type ColivaraEvent,
  type ColivaraWebhookOptions,
  type RegisteredMetadata,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "@colivara/webhooks";
import { createDeliveryPipeline, DEFAULT_LIMIT_BYTES, responses } from "@colivara/webhooks/adapter";
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  preParsingHookHandler,
  RouteOptions,
} from "fastify";
import fp from "fastify-plugin";
import { acceptVerifiedBodies } from "./content-types.js";
import { type CaptureSettings, FastifyDelivery, type PayloadDone, send } from "./fastify-delivery.js";
import { type Captured, kAnswered, kParsed, kResume, kWebhook } from "./request-slots.js";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The verified delivery, on routes declared with `{ config: { colivara: true } }`.
     * Reading it anywhere else throws `body_already_parsed` (fail closed). Its
     * `event.metadata` has the type declared once in `Register` (see the README).
     */
    readonly colivara: VerifiedWebhook<ColivaraEvent<RegisteredMetadata>>;
  }
  interface FastifyContextConfig {
    /** Verify ColiVara webhooks on this route (needs the `@colivara/webhooks-fastify` plugin). */
    colivara?: boolean;
  }
}

const kCapture: unique symbol = Symbol.for("@colivara/webhooks-fastify.capture") as never;
/** Options Fastify's `register` itself reads; they are not the plugin's. */
const REGISTER_KEYS = new Set(["prefix", "logLevel", "logSerializers"]);
/** Scopes the plugin is registered in (with fastify-plugin, the registering instance itself). */
const registeredScopes = new WeakSet<object>();
/** The bodyLimit a route was declared with, before an outer registration raised it. */
const declaredBodyLimits = new WeakMap<object, number | undefined>();
const NOT_CAPTURED =
  "request.colivara is only set on routes declared with { config: { colivara: true } } after " +
  "`await app.register(colivaraWebhooks)`, in the same scope or a child scope. This route's raw body was not " +
  "captured, so Fastify's JSON parser read it first and it cannot be verified: opt the route in and register " +
  "the plugin before declaring the route.";

function invalidConfig(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

type ErrorHandler = NonNullable<RouteOptions["errorHandler"]>;
/** The error handler a route was declared with, before the plugin wrapped it. */
const declaredErrorHandlers = new WeakMap<object, ErrorHandler | undefined>();

/**
 * The error handler of verified routes: a handler's throw reaches `onError` and answers 500
 * without its message (Fastify's default would send it to the sender). Errors before the
 * delivery was verified go to the scope's own error handler.
 */
function routeErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const answered = (request as Captured)[kAnswered];
  if (answered === undefined) throw error;
  answered(500, error);
  send(reply, responses.handlerFailed());
}

/**
 * A verified route's errors: when Fastify's parser refused the verified bytes, the pipeline
 * decides the answer (whatever error handler the route has); every other error goes to the
 * route's own error handler, or to {@link routeErrors}.
 */
function parseRefusalsFirst(declared: ErrorHandler | undefined): ErrorHandler {
  return function colivaraRouteErrors(this: FastifyInstance, error, request, reply) {
    const parsed = (request as Captured)[kParsed];
    if (parsed === undefined) return (declared ?? routeErrors).call(this, error, request, reply);
    (request as Captured)[kParsed] = undefined;
    parsed({ refused: error });
  };
}

/**
 * Fastify parsed the verified bytes (its content-type parser, the app's JSON settings): the
 * pipeline builds the event from that one parse, claims the delivery and then resumes the
 * request. Every other request goes on at once.
 */
function deliverParsed(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const parsed = (request as Captured)[kParsed];
  if (parsed === undefined) {
    done();
    return;
  }
  (request as Captured)[kParsed] = undefined;
  (request as Captured)[kResume] = done;
  parsed({ value: request.body });
}

/** The route's own preParsing hooks, less the capture of a registration in an outer scope. */
function otherHooksOf(route: RouteOptions): preParsingHookHandler[] {
  const existing = route.preParsing as preParsingHookHandler | preParsingHookHandler[] | undefined;
  if (existing === undefined) return [];
  return (Array.isArray(existing) ? existing : [existing]).filter((hook) => !(kCapture in hook));
}

/** The plugin's options: `metadata` outputs the type declared in `Register`. */
type PluginOptions = ColivaraWebhookOptions<RegisteredMetadata>;

function pluginOptions(options: PluginOptions): PluginOptions {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !REGISTER_KEYS.has(key)));
}

function decorate(fastify: FastifyInstance): void {
  // A registration in an outer scope already decorated the request (decorations are inherited).
  if (fastify.hasRequestDecorator("colivara")) return;
  fastify.decorateRequest(kWebhook, null);
  fastify.decorateRequest(kAnswered, undefined);
  fastify.decorateRequest(kParsed, undefined);
  fastify.decorateRequest(kResume, undefined);
  // First of the scope's preValidation hooks after the registration, so hooks declared later
  // already see request.colivara.
  fastify.addHook("preValidation", deliverParsed);
  fastify.decorateRequest("colivara", {
    getter(this: FastifyRequest): FastifyRequest["colivara"] {
      const webhook = (this as Captured)[kWebhook];
      // The metadata schema's output, whose type the app declared in Register.
      if (webhook) return webhook as FastifyRequest["colivara"];
      throw new WebhookVerificationError("body_already_parsed", NOT_CAPTURED);
    },
  });
}

type Pipeline = ReturnType<typeof createDeliveryPipeline>;

/**
 * The route's preParsing hook: reads and verifies the raw bytes, then replays them to Fastify's
 * parser. With `parseOnce`, the pipeline builds the event from that parse and the route is
 * resumed in preValidation; without, the pack parses the bytes itself before they are replayed.
 */
function captureHook(settings: CaptureSettings): preParsingHookHandler {
  const hook: preParsingHookHandler = function colivaraCapture(request, reply, payload, done) {
    settings.pipeline.run(new FastifyDelivery(settings, request as Captured, reply, payload, done as PayloadDone));
  };
  return Object.assign(hook, { [kCapture]: true });
}

/**
 * A route that opted in (`config: { colivara: true }`): its body limit, then the capture hook
 * first of its own preParsing hooks, so it sees the body before anything else declared on
 * the route. The innermost registration runs its onRoute hook last, so its hook is the one
 * that stays.
 */
function optIn(
  route: RouteOptions,
  pipeline: Pipeline,
  explicitLimit: number | undefined,
  serverLimit: number,
  parseOnce: boolean,
): void {
  if (!declaredBodyLimits.has(route)) declaredBodyLimits.set(route, route.bodyLimit);
  const declared = declaredBodyLimits.get(route);
  const limit = explicitLimit ?? declared ?? Math.min(DEFAULT_LIMIT_BYTES, serverLimit);
  // The bytes are replayed to Fastify's parser after the check; it must accept what we did.
  if (limit > (declared ?? serverLimit)) route.bodyLimit = limit;
  else if (declared !== undefined) route.bodyLimit = declared;
  else delete route.bodyLimit;
  route.preParsing = [captureHook({ pipeline, limit, parseOnce }), ...otherHooksOf(route)];
  if (!declaredErrorHandlers.has(route)) declaredErrorHandlers.set(route, route.errorHandler);
  route.errorHandler = parseRefusalsFirst(declaredErrorHandlers.get(route));
}

/**
 * Fastify's parse is the event's only parse unless the app set Fastify to strip prototype keys
 * (`"remove"`): the pack refuses a body holding them, so it then parses the bytes itself.
 */
function parsesOnce(fastify: FastifyInstance): boolean {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  return onProtoPoisoning !== "remove" && onConstructorPoisoning !== "remove";
}

/** Bad configuration throws here, so `register` (and so start-up) fails. */
function checkRegistration(fastify: FastifyInstance, own: ColivaraWebhookOptions, pipeline: Pipeline): void {
  if (own.path !== undefined && !pipeline.answersItself) {
    throw invalidConfig(
      'path needs on or handOff: the plugin declares that route and answers it itself, e.g. { path, on: { "upsert.success": fn } }. ' +
        "Without them, declare your own route with { config: { colivara: true } }.",
    );
  }
  if (registeredScopes.has(fastify)) {
    throw invalidConfig(
      "The colivara plugin is already registered in this scope. Register it once per scope; for another secret or handler map, register it again inside an encapsulated child scope (app.register(async (scope) => { ... })).",
    );
  }
}

/**
 * A handler map or hand-off with no route to serve it: every delivery would get Fastify's
 * 404. Found when the app is ready (routes may opt in after the registration).
 */
async function checkServed(optedIn: number): Promise<void> {
  if (optedIn > 0) return;
  throw invalidConfig(
    "The colivara plugin has a handler map (on) or handOff but no route to serve it, so every delivery would get 404. " +
      'Pass its path (app.register(colivaraWebhooks, { path: "/webhooks/colivara", on })) or declare a route with { config: { colivara: true } }.',
  );
}

async function colivaraWebhooksPlugin(fastify: FastifyInstance, options: PluginOptions): Promise<void> {
  const own = pluginOptions(options);
  const pipeline = createDeliveryPipeline(own, {
    proxySetting:
      'Fastify({ trustProxy: "10.0.0.1" }) (the proxy\'s address or CIDR range; Fastify 5 ignores hop counts); x-forwarded-proto and x-forwarded-for then count from the hops it trusts',
  });
  checkRegistration(fastify, own, pipeline);
  registeredScopes.add(fastify);
  decorate(fastify);
  acceptVerifiedBodies(
    fastify,
    (request) => (request as Captured)[kParsed] !== undefined || (request as Captured)[kWebhook] !== null,
  );
  const explicitLimit = own.limit === undefined ? undefined : pipeline.options.limit;
  const serverLimit = fastify.initialConfig.bodyLimit ?? DEFAULT_LIMIT_BYTES;
  const parseOnce = parsesOnce(fastify);
  // Only routes that opt in get the hook: every other route keeps Fastify's parsing untouched.
  let optedIn = 0;
  fastify.addHook("onRoute", (route) => {
    if (route.config?.colivara !== true) return;
    optIn(route as RouteOptions, pipeline, explicitLimit, serverLimit, parseOnce);
    optedIn++;
  });
  if (pipeline.answersItself) fastify.addHook("onReady", async () => checkServed(optedIn));
  if (own.path !== undefined) {
    fastify.post(own.path, { config: { colivara: true } }, async () => {
      // The capture hook answers every request on this route itself.
      throw new Error("unreachable: the colivara pipeline answers this route");
    });
  }
}

/**
 * Fastify plugin (Fastify 4 and 5) that verifies ColiVara webhooks. Routes opt in with
 * `{ config: { colivara: true } }`: their raw bytes are captured before any content-type
 * parser, verified, and the handler reads the typed `request.colivara`. Failures answer with
 * the status and JSON body of the failure table and never reach the handler. Every other
 * route keeps Fastify's normal parsing. With `on` (and `path`) the plugin answers itself.
 * Bad configuration makes `register` fail. With a `metadata` schema, its output type is the
 * one declared once in `Register` (for `request.colivara` and the handler map).
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import colivaraWebhooks from "@colivara/webhooks-fastify";
 *
 * const app = Fastify();
 * await app.register(colivaraWebhooks, { secret: process.env.COLIVARA_WEBHOOK_SECRET });
 * app.post("/webhooks/colivara", { config: { colivara: true } }, async (request) => {
 *   const { event } = request.colivara;
 *   if (event.type === "upsert.success") console.log(event.name, event.num_pages);
 *   return { received: true };
 * });
 * ```
 */
export const colivaraWebhooks: FastifyPluginAsync<ColivaraWebhookOptions<RegisteredMetadata>> = fp(
  colivaraWebhooksPlugin,
  { fastify: "4.x || 5.x", name: "@colivara/webhooks-fastify" },
);
