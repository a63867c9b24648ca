import {
  type ColivaraWebhookOptions,
  type FetchWebhookHandler,
  type WebhookHandlers,
  WebhookVerificationError,
} from "@colivara/webhooks";
import { createFetchHandler } from "@colivara/webhooks/adapter";

/**
 * Options of the handler-map form: {@link ColivaraWebhookOptions} with `on` required.
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookHandlerMapOptions = {
 *   on: { "upsert.success": async (event) => markReady(event.id) },
 * };
 * ```
 */
export type ColivaraWebhookHandlerMapOptions<M = Record<string, unknown>> = ColivaraWebhookOptions<M> &
  ({ on: WebhookHandlers<NoInfer<M>> } | { handOff: NonNullable<ColivaraWebhookOptions["handOff"]> });

/**
 * Options of the handler form: {@link ColivaraWebhookOptions} without `on` (a handler and a
 * handler map are exclusive: with both, the handler would never run).
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookHandlerOptions = { toleranceSeconds: 120 };
 * ```
 */
export type ColivaraWebhookHandlerOptions<M = Record<string, unknown>> = ColivaraWebhookOptions<M> & { on?: undefined };

/**
 * Your code for a verified delivery in an App Router route: `(webhook, request)`. Return a
 * `Response`, or nothing for 204; a throw answers 500 (so ColiVara retries) and is
 * reported through `onError`. `M` is the type of `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const handler: AppRouteWebhookHandler = async ({ id, event }) => {
 *   if (event.type === "upsert.success") await markReady(event.id, id);
 * };
 * ```
 */
export type AppRouteWebhookHandler<M = Record<string, unknown>> = FetchWebhookHandler<M>;

/**
 * An App Router route handler: `export const POST = …`.
 *
 * @example
 * ```ts
 * export const POST: AppRouteHandler = withColivaraWebhook(async () => {});
 * ```
 */
export type AppRouteHandler = (request: Request) => Promise<Response>;

const IN_MIDDLEWARE =
  "withColivaraWebhook() returned NextResponse.next() or a rewrite: it runs in middleware.ts, where the delivery would be marked handled before the route behind it has run (a failing route would then lose the retry). Verify in the route itself: app/api/webhooks/colivara/route.ts with export const POST = withColivaraWebhook(handler).";

/**
 * Fails a handler that answers like Next middleware: the route behind it has not run yet.
 * The core runs it on the handler's `Response` (`checkAnswer`), where it reads the status: a
 * wrapper around the handler chained a promise of its own onto every delivery.
 */
function refuseMiddlewareUse(response: Response): void {
  const { headers } = response;
  if (headers.has("x-middleware-next") || headers.has("x-middleware-rewrite")) {
    throw new WebhookVerificationError("invalid_config", IN_MIDDLEWARE);
  }
}

// Read the secret on the first request: `next build` imports route modules without it. Next
// builds the request URL's scheme from x-forwarded-proto, whoever sent it: not the word on TLS.
const NEXT_SETTINGS = {
  lazySecret: true,
  trustUrlScheme: false,
  name: "withColivaraWebhook",
  noConnectionFact:
    "An App Router route sees no socket, and Next.js builds request.url's scheme from x-forwarded-proto, which any client can send.",
  checkAnswer: refuseMiddlewareUse,
} as const;

/** Splits `(handler, options?)` from `(options with on)`, refusing anything else at start-up. */
export function resolveArguments<H, M>(
  wrapper: string,
  first: H | ColivaraWebhookHandlerMapOptions<M>,
  second: ColivaraWebhookOptions<M> | undefined,
): { handler: H | undefined; options: ColivaraWebhookOptions<M> } {
  const usage = `${wrapper}(handler, options?) or ${wrapper}({ on: { "upsert.success": fn, "upsert.fail": fn } })`;
  if (typeof first === "function") {
    if (second?.on !== undefined || second?.handOff !== undefined) {
      throw new WebhookVerificationError(
        "invalid_config",
        `Pass either a handler function or a handler map (options.on), not both: with both, the handler would never run. Use ${usage}.`,
      );
    }
    return { handler: first as H, options: second ?? {} };
  }
  const options = first as ColivaraWebhookOptions<M> | null;
  const answersItself = options?.on !== undefined || options?.handOff !== undefined;
  if (options !== null && typeof options === "object" && second === undefined && answersItself) {
    return { handler: undefined, options };
  }
  throw new WebhookVerificationError("invalid_config", `Pass a handler function or a handler map: ${usage}.`);
}

/**
 * Wraps an App Router route handler (a `route.ts` under `app/`) so it only ever sees verified
 * ColiVara deliveries. Reads the body once (up to `limit`, else 413), verifies the
 * signature and timestamp, then calls `handler(webhook, request)`: its `Response` is
 * returned, returning nothing answers 204, a throw answers 500 and goes to `onError`.
 * Failures answer with the failure table's status and JSON body and never reach your code.
 *
 * Works on the Node.js runtime (node:crypto) and on `export const runtime = "edge"` (Web
 * Crypto). Verify in the route itself, never in `middleware.ts`.
 *
 * The other form takes a handler map and answers itself: 204, or 500 when a handler
 * throws: `withColivaraWebhook({ on: { "upsert.success": fn, "upsert.fail": fn } })`.
 *
 * @example
 * ```ts
 * // app/api/webhooks/colivara/route.ts
 * import { withColivaraWebhook } from "@colivara/webhooks-next";
 *
 * export const POST = withColivaraWebhook(async ({ id, event }) => {
 *   if (event.type === "upsert.success") console.log(id, event.name, event.num_pages);
 * });
 * ```
 *
 * @example
 * ```ts
 * // app/api/webhooks/colivara/route.ts, handler map on the Edge runtime
 * import { withColivaraWebhook } from "@colivara/webhooks-next";
 *
 * export const runtime = "edge";
 * export const POST = withColivaraWebhook({
 *   on: {
 *     "upsert.success": async (event) => markReady(event.id),
 *     "upsert.fail": async (event) => alertOps(event.name, event.error),
 *   },
 * });
 * ```
 *
 * @example
 * ```ts
 * // typed metadata: event.metadata is the schema's output, a mismatch answers 422
 * import { z } from "zod";
 *
 * export const POST = withColivaraWebhook(
 *   async ({ event }) => {
 *     if (event.type === "upsert.success") await reindex(event.metadata.tenant, event.id);
 *   },
 *   { metadata: z.object({ tenant: z.string() }) },
 * );
 * ```
 */
export function withColivaraWebhook<M = Record<string, unknown>>(
  handler: AppRouteWebhookHandler<M>,
  options?: ColivaraWebhookHandlerOptions<M>,
): AppRouteHandler;
export function withColivaraWebhook<M = Record<string, unknown>>(
  options: ColivaraWebhookHandlerMapOptions<M>,
): AppRouteHandler;
export function withColivaraWebhook<M>(
  handlerOrOptions: AppRouteWebhookHandler<M> | ColivaraWebhookHandlerMapOptions<M>,
  maybeOptions?: ColivaraWebhookOptions<M>,
): AppRouteHandler {
  const { handler, options } = resolveArguments<AppRouteWebhookHandler<M>, M>(
    "withColivaraWebhook",
    handlerOrOptions,
    maybeOptions,
  );
  // Next calls it as POST(request, context); the context is not needed.
  return createFetchHandler(handler, options, NEXT_SETTINGS);
}
