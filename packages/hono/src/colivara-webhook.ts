import type { ColivaraEvent, ColivaraWebhookOptions, VerifiedWebhook } from "@colivara/webhooks";
import { bodyReadError, createDeliveryPipeline, toFetchResponse } from "@colivara/webhooks/adapter";
import type { MiddlewareHandler } from "hono";
import { actsOn } from "./mount.js";
import { readHonoBody } from "./read-body.js";
import { arrivedOverTls, checkRuntime, peerAddress } from "./transport.js";

/**
 * The context variables the middleware sets: `c.get("colivara")`. `M` is the type of
 * `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const app = new Hono<ColivaraEnv>();
 * ```
 */
export interface ColivaraEnv<M = Record<string, unknown>> {
  Variables: { colivara: VerifiedWebhook<ColivaraEvent<M>> };
}

/**
 * Hono middleware that verifies a ColiVara delivery from its raw bytes and sets the typed
 * `c.get("colivara")`; with `on` or `handOff` it answers itself. Failures answer with the
 * failure table's status and JSON body and never reach the route. Mounted app-wide
 * (`app.use(colivaraWebhook())`) it acts on `path` only (default `/webhooks/colivara`,
 * relative to `basePath()` or `route()`), as Hono routes it: see the README.
 * Runs wherever Hono runs: node:crypto on Node, Bun and Deno; Web Crypto on Workers.
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
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * app.post("/webhooks/colivara", colivaraWebhook({ metadata: z.object({ tenant: z.string() }) }), (c) => {
 *   const { event } = c.get("colivara");
 *   if (event.type === "upsert.success") console.log(event.metadata.tenant); // string
 *   return c.body(null, 204);
 * });
 * ```
 */
export function colivaraWebhook<M = Record<string, unknown>>(
  options: ColivaraWebhookOptions<M> = {},
): MiddlewareHandler<ColivaraEnv<M>> {
  const pipeline = createDeliveryPipeline(options);
  const runtime = checkRuntime(pipeline.options);
  const { limit, readTimeoutMs } = pipeline.options;
  return async function colivaraWebhookMiddleware(c, next) {
    if (!actsOn(c, pipeline.appliesTo)) return next();
    return new Promise<Response | undefined>((resolve) => {
      pipeline.run({
        method: c.req.method,
        headers: c.req.raw.headers,
        readBody: (done) =>
          readHonoBody(c.req, limit, readTimeoutMs).then(
            (body) => done(undefined, body),
            (error: unknown) => done(bodyReadError(error, limit)),
          ),
        send: (response) => resolve(toFetchResponse(response)),
        secure: () => arrivedOverTls(c, runtime),
        remoteAddress: () => peerAddress(c, runtime),
        forward(webhook, answered) {
          // The metadata schema's output: the `M` of this middleware.
          c.set("colivara", webhook as VerifiedWebhook<ColivaraEvent<M>>);
          // Hono turns a thrown route into c.error and a 500: the error reaches onError.
          const routed = next().then(
            () => answered(c.res.status, c.error),
            (error: unknown) => {
              answered(500, error);
              throw error;
            },
          );
          resolve(routed.then(() => undefined));
        },
      });
    });
  };
}
