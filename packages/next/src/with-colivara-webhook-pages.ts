import type { ColivaraEvent, ColivaraWebhookOptions, VerifiedWebhook } from "@colivara/webhooks";
import { createDeliveryPipeline, sendNodeResponse, type WebhookResponse } from "@colivara/webhooks/adapter";
import type { NextApiRequest, NextApiResponse } from "next";
import { readRawBody } from "./raw-body.js";
import {
  type ColivaraWebhookHandlerMapOptions,
  type ColivaraWebhookHandlerOptions,
  resolveArguments,
} from "./with-colivara-webhook.js";

/**
 * Your code for a verified delivery in a `pages/api` route: `(webhook, req, res)`. Answer
 * with `res` as usual, or leave the response alone for 204; a throw answers 500 (so
 * ColiVara retries) and is reported through `onError`. `M` is the type of `event.metadata`.
 *
 * @example
 * ```ts
 * const handler: PagesWebhookHandler = async ({ event }, _req, res) => {
 *   if (event.type === "upsert.fail") await alertOps(event.error);
 *   res.status(200).json({ received: true });
 * };
 * ```
 */
export type PagesWebhookHandler<M = Record<string, unknown>> = (
  webhook: VerifiedWebhook<ColivaraEvent<M>>,
  req: NextApiRequest,
  res: NextApiResponse,
) => unknown;

/**
 * A Pages Router API route: `export default …`.
 *
 * @example
 * ```ts
 * const route: PagesApiHandler = withColivaraWebhookPages(async () => {});
 * export default route;
 * ```
 */
export type PagesApiHandler = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

/**
 * Wraps a Pages Router API route (`pages/api/*`) so it only ever sees verified ColiVara
 * deliveries. The route file must turn Next's body parser off, since the signature covers
 * the exact bytes: `export const config = { api: { bodyParser: false } };`. With the parser
 * left on, every delivery answers 500 `body_already_parsed` with that fix in the message.
 *
 * Reads the body (up to `limit`, else 413), verifies, then calls `handler(webhook, req, res)`;
 * if the handler leaves the response alone it answers 204, a throw answers 500 and goes to
 * `onError`. The handler-map form answers itself: `withColivaraWebhookPages({ on: { … } })`.
 * Pages API routes run on Node.js; for the Edge runtime use {@link withColivaraWebhook} in
 * an App Router route.
 *
 * @example
 * ```ts
 * // pages/api/webhooks/colivara.ts
 * import { withColivaraWebhookPages } from "@colivara/webhooks-next";
 *
 * export const config = { api: { bodyParser: false } };
 *
 * export default withColivaraWebhookPages(async ({ event }, _req, res) => {
 *   if (event.type === "upsert.success") console.log(event.name, event.num_pages);
 *   res.status(200).json({ received: true });
 * });
 * ```
 */
export function withColivaraWebhookPages<M = Record<string, unknown>>(
  handler: PagesWebhookHandler<M>,
  options?: ColivaraWebhookHandlerOptions<M>,
): PagesApiHandler;
export function withColivaraWebhookPages<M = Record<string, unknown>>(
  options: ColivaraWebhookHandlerMapOptions<M>,
): PagesApiHandler;
export function withColivaraWebhookPages<M>(
  handlerOrOptions: PagesWebhookHandler<M> | ColivaraWebhookHandlerMapOptions<M>,
  maybeOptions?: ColivaraWebhookOptions<M>,
): PagesApiHandler {
  const { handler, options } = resolveArguments<PagesWebhookHandler<M>, M>(
    "withColivaraWebhookPages",
    handlerOrOptions,
    maybeOptions,
  );
  const pipeline = createDeliveryPipeline(options, { lazySecret: true });
  const { limit, readTimeoutMs } = pipeline.options;
  return (req, res) =>
    new Promise<void>((resolve) => {
      const send = (response: WebhookResponse) => {
        sendNodeResponse(res, response);
        resolve();
      };
      pipeline.run({
        method: req.method,
        headers: req.headers,
        readBody: (done) => readRawBody(req, limit, readTimeoutMs, done),
        send,
        // The socket: x-forwarded-proto and x-forwarded-for count only from trusted proxies (trustProxy).
        secure: () => (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true,
        remoteAddress: () => req.socket?.remoteAddress,
        // The metadata schema's output: the handler's `M`.
        call: handler && ((webhook) => handler(webhook as VerifiedWebhook<ColivaraEvent<M>>, req, res)),
        // The handler answered when it started writing; otherwise the pipeline answers 204.
        statusOf: () => (res.headersSent ? res.statusCode : undefined),
        pass: () => resolve(),
      });
    });
}
