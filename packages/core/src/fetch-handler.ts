import { WebhookVerificationError } from "./errors.js";
import type { VerifiedWebhook } from "./events.js";
import { bodyReadError } from "./limit.js";
import { readFetchBody } from "./read-fetch-body.js";
import { createReceiver, type ReceiverOptions, type WebhookResponse } from "./receiver.js";

/**
 * Your code for a verified delivery on a Fetch runtime. Return a `Response`, or nothing
 * for 204; a throw answers 500 (so ColiVara retries) and is reported through `onError`.
 *
 * @example
 * ```ts
 * const handler: FetchWebhookHandler = async ({ event }) => {
 *   if (event.type === "upsert.success") await markReady(event.id);
 * };
 * ```
 */
export type FetchWebhookHandler = (
  webhook: VerifiedWebhook,
  request: Request,
) => MaybeResponse | Promise<MaybeResponse>;

// biome-ignore lint/suspicious/noConfusingVoidType: `async () => {}` returns Promise<void>; a handler may return nothing.
type MaybeResponse = Response | undefined | void;

/**
 * Options of {@link createWebhookHandler}: the receiver's options.
 *
 * @example
 * ```ts
 * const options: FetchHandlerOptions = { secret: env.COLIVARA_WEBHOOK_SECRET, limit: "256kb" };
 * ```
 */
export type FetchHandlerOptions = ReceiverOptions;

/**
 * Turns the shared policy's response into a Fetch `Response`.
 *
 * @example
 * ```ts
 * return toFetchResponse(receiver.errorResponse(error));
 * ```
 */
export function toFetchResponse(response: WebhookResponse): Response {
  return new Response(response.body === "" ? null : response.body, {
    status: response.status,
    headers: response.headers,
  });
}

/**
 * A framework-free `(request: Request) => Promise<Response>` webhook endpoint for Fetch
 * runtimes (Next.js App Router, Bun, Deno, Cloudflare Workers). Pass a handler, or a
 * handler map as `options.on` and no handler.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from "@colivara/webhooks";
 *
 * export default {
 *   fetch: createWebhookHandler(async ({ event }) => {
 *     console.log(event.type);
 *   }),
 * };
 * ```
 */
export function createWebhookHandler(
  handler: FetchWebhookHandler | undefined,
  options: FetchHandlerOptions = {},
  settings: { lazySecret?: boolean } = {},
): (request: Request) => Promise<Response> {
  if (handler !== undefined && typeof handler !== "function") {
    throw new WebhookVerificationError(
      "invalid_config",
      "The webhook handler must be a function (webhook, request) => Response | void.",
    );
  }
  if (handler !== undefined && options.on !== undefined) {
    throw new WebhookVerificationError(
      "invalid_config",
      "Pass either a handler function or a handler map (options.on), not both: with both, the handler would never run.",
    );
  }
  if (handler === undefined && options.on === undefined) {
    throw new WebhookVerificationError(
      "invalid_config",
      'Pass a handler function, or a handler map as { on: { "upsert.success": fn } }.',
    );
  }
  const receiver = createReceiver(options, settings);
  return async function colivaraWebhook(request: Request): Promise<Response> {
    let body: Uint8Array | undefined;
    let bodyError: unknown;
    if (request.method === "POST") {
      try {
        body = await readFetchBody(request, receiver.limit, receiver.readTimeoutMs);
      } catch (error) {
        // A client that aborts mid-upload is a 400 like in every adapter, not a server fault.
        bodyError = bodyReadError(error, receiver.limit);
      }
    }
    const result = await receiver.receive({ method: request.method, headers: request.headers, body, bodyError });
    if (result.response) return toFetchResponse(result.response);
    let response: Response;
    try {
      const returned = await (handler as FetchWebhookHandler)(result.webhook, request);
      response = returned instanceof Response ? returned : new Response(null, { status: 204 });
    } catch (error) {
      response = toFetchResponse(receiver.handlerFailed(error, result.webhook));
    }
    // Without a dedupe store settle does nothing: skip the extra await on every delivery.
    if (receiver.tracksDeliveries) await result.settle(response.status >= 200 && response.status < 300);
    return response;
  };
}
