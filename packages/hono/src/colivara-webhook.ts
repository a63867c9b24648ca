import type { VerifiedWebhook } from "@colivara/webhooks";
import { createReceiver, type ReceiverOptions, toFetchResponse } from "@colivara/webhooks/adapter";
import type { MiddlewareHandler } from "hono";
import { readHonoBody } from "./read-body.js";

/**
 * Options of {@link colivaraWebhook}: `secret`, `toleranceSeconds`, `limit`, `on`, `onError`, `dedupe`.
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookOptions = { secret: process.env.COLIVARA_WEBHOOK_SECRET };
 * ```
 */
export type ColivaraWebhookOptions = ReceiverOptions;

/**
 * The context variables the middleware sets: `c.get("colivara")`.
 *
 * @example
 * ```ts
 * const app = new Hono<ColivaraEnv>();
 * ```
 */
export interface ColivaraEnv {
  Variables: { colivara: VerifiedWebhook };
}

/**
 * Hono middleware that verifies a ColiVara delivery from its raw bytes and sets the typed
 * `c.get("colivara")`; with an `on` handler map it answers itself. Failures answer with
 * the failure table's status and JSON body and never reach the route. Runs wherever Hono
 * runs: node:crypto on Node, Bun and Deno; Web Crypto on Workers.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { colivaraWebhook } from "@colivara/webhooks-hono";
 *
 * const app = new Hono();
 * app.post("/webhooks/colivara", colivaraWebhook(), (c) => {
 *   console.log(c.get("colivara").event.type);
 *   return c.body(null, 204);
 * });
 * ```
 */
export function colivaraWebhook(options: ColivaraWebhookOptions = {}): MiddlewareHandler<ColivaraEnv> {
  const receiver = createReceiver(options);
  return async function colivaraWebhookMiddleware(c, next) {
    let body: Uint8Array | string | undefined;
    let bodyError: unknown;
    if (c.req.method === "POST") {
      try {
        body = await readHonoBody(c.req, receiver.limit, receiver.readTimeoutMs);
      } catch (error) {
        bodyError = error;
      }
    }
    const result = await receiver.receive({ method: c.req.method, headers: c.req.raw.headers, body, bodyError });
    if (result.response) return toFetchResponse(result.response);
    c.set("colivara", result.webhook);
    try {
      await next();
    } finally {
      // Hono turns a thrown route into c.error and a 500: only a clean 2xx counts as handled.
      await result.settle(c.error === undefined && c.res.status >= 200 && c.res.status < 300);
    }
  };
}
