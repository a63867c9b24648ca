import { createWebhookHandler, type FetchWebhookHandler, WebhookVerificationError } from "@colivara/webhooks";
import type { ReceiverOptions, WebhookHandlers } from "@colivara/webhooks/adapter";

/**
 * Options of {@link withColivaraWebhook} and {@link withColivaraWebhookPages}: `secret`,
 * `toleranceSeconds`, `limit`, `onError`, and `on` for the handler-map form.
 *
 * The secret defaults to `process.env.COLIVARA_WEBHOOK_SECRET` and is read when the first
 * request arrives, so `next build` runs without it; a missing or malformed secret then
 * answers 500 and is reported through `onError` (default: `console.error`).
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookOptions = { limit: "256kb", onError: (error) => logger.error(error) };
 * ```
 */
export type ColivaraWebhookOptions = ReceiverOptions;

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
export type ColivaraWebhookHandlerMapOptions = ColivaraWebhookOptions & { on: WebhookHandlers };

/**
 * Options of the handler form: {@link ColivaraWebhookOptions} without `on` (a handler and a
 * handler map are exclusive: with both, the handler would never run).
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookHandlerOptions = { toleranceSeconds: 120 };
 * ```
 */
export type ColivaraWebhookHandlerOptions = ColivaraWebhookOptions & { on?: undefined };

/**
 * Your code for a verified delivery in an App Router route: `(webhook, request)`. Return a
 * `Response`, or nothing for 204; a throw answers 500 (so ColiVara retries) and is
 * reported through `onError`.
 *
 * @example
 * ```ts
 * const handler: AppRouteWebhookHandler = async ({ id, event }) => {
 *   if (event.type === "upsert.success") await markReady(event.id, id);
 * };
 * ```
 */
export type AppRouteWebhookHandler = FetchWebhookHandler;

/**
 * An App Router route handler: `export const POST = …`.
 *
 * @example
 * ```ts
 * export const POST: AppRouteHandler = withColivaraWebhook(async () => {});
 * ```
 */
export type AppRouteHandler = (request: Request) => Promise<Response>;

// Read the secret on the first request: `next build` imports route modules without it.
const LAZY_SECRET = { lazySecret: true } as const;

/** Splits `(handler, options?)` from `(options with on)`, refusing anything else at start-up. */
export function resolveArguments<H>(
  wrapper: string,
  first: H | ColivaraWebhookHandlerMapOptions,
  second: ColivaraWebhookOptions | undefined,
): { handler: H | undefined; options: ColivaraWebhookOptions } {
  const usage = `${wrapper}(handler, options?) or ${wrapper}({ on: { "upsert.success": fn, "upsert.fail": fn } })`;
  if (typeof first === "function") {
    if (second?.on !== undefined) {
      throw new WebhookVerificationError(
        "invalid_config",
        `Pass either a handler function or a handler map (options.on), not both: with both, the handler would never run. Use ${usage}.`,
      );
    }
    return { handler: first as H, options: second ?? {} };
  }
  const options = first as ColivaraWebhookOptions | null;
  if (options !== null && typeof options === "object" && second === undefined && options.on !== undefined) {
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
 */
export function withColivaraWebhook(
  handler: AppRouteWebhookHandler,
  options?: ColivaraWebhookHandlerOptions,
): AppRouteHandler;
export function withColivaraWebhook(options: ColivaraWebhookHandlerMapOptions): AppRouteHandler;
export function withColivaraWebhook(
  handlerOrOptions: AppRouteWebhookHandler | ColivaraWebhookHandlerMapOptions,
  maybeOptions?: ColivaraWebhookOptions,
): AppRouteHandler {
  const { handler, options } = resolveArguments("withColivaraWebhook", handlerOrOptions, maybeOptions);
  // Next calls it as POST(request, context); the context is not needed.
  return createWebhookHandler(handler, options, LAZY_SECRET);
}
