import { WebhookVerificationError } from "./errors.js";
import type { VerifiedWebhook } from "./events.js";
import { bodyReadError } from "./limit.js";
import type { ColivaraWebhookOptions, PipelineSettings } from "./options.js";
import { createDeliveryPipeline } from "./pipeline.js";
import { readFetchBody } from "./read-fetch-body.js";
import type { WebhookResponse } from "./responses.js";

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
 * Turns the pipeline's response into a Fetch `Response`.
 *
 * @example
 * ```ts
 * send: (response) => resolve(toFetchResponse(response)),
 * ```
 */
export function toFetchResponse(response: WebhookResponse): Response {
  return new Response(response.body === "" ? null : response.body, {
    status: response.status,
    headers: response.headers,
  });
}

function checkHandler(handler: unknown, options: ColivaraWebhookOptions): void {
  const mode = options.handOff !== undefined ? "handOff" : options.on !== undefined ? "a handler map (options.on)" : "";
  if (handler !== undefined && typeof handler !== "function") {
    throw new WebhookVerificationError(
      "invalid_config",
      "The webhook handler must be a function (webhook, request) => Response | void.",
    );
  }
  if (handler !== undefined && mode !== "") {
    throw new WebhookVerificationError(
      "invalid_config",
      `Pass either a handler function or ${mode}, not both: with both, the handler would never run.`,
    );
  }
  if (handler === undefined && mode === "") {
    throw new WebhookVerificationError(
      "invalid_config",
      'Pass a handler function, a handler map as { on: { "upsert.success": fn } }, or { handOff }.',
    );
  }
}

/**
 * The adapters' settings of {@link createFetchHandler}: the pipeline's, and whether the
 * request URL's scheme says how the request arrived. Next.js builds it from
 * `x-forwarded-proto`, which any client can send: there only `trustProxy` counts.
 */
export interface FetchHandlerSettings extends PipelineSettings {
  /** Default true: the runtime's URL scheme is the connection's (Bun, Deno, Workers). */
  trustUrlScheme?: boolean | undefined;
}

const isHttps = (request: Request): boolean => request.url.startsWith("https:");

/**
 * {@link createWebhookHandler} with the adapters' settings (`lazySecret`: read the secret on
 * the first request, for Next.js builds).
 */
export function createFetchHandler(
  handler: FetchWebhookHandler | undefined,
  options: ColivaraWebhookOptions = {},
  settings: FetchHandlerSettings = {},
): (request: Request) => Promise<Response> {
  checkHandler(handler, options);
  const pipeline = createDeliveryPipeline(options, settings);
  const secure = settings.trustUrlScheme === false ? undefined : isHttps;
  const { limit, readTimeoutMs } = pipeline.options;
  const call = handler && ((request: Request) => (webhook: VerifiedWebhook) => handler(webhook, request));
  return function colivaraWebhook(request: Request): Promise<Response> {
    return new Promise((resolve) => {
      pipeline.run({
        method: request.method,
        headers: request.headers,
        readBody: (done) =>
          readFetchBody(request, limit, readTimeoutMs).then(
            (body) => done(undefined, body),
            // A client that aborts mid-upload is a 400 like in every adapter, not a server fault.
            (error: unknown) => done(bodyReadError(error, limit)),
          ),
        send: (response) => resolve(toFetchResponse(response)),
        secure: secure && (() => secure(request)),
        call: call?.(request),
        statusOf: (returned) => (returned instanceof Response ? returned.status : undefined),
        pass: (returned) => resolve(returned as Response),
      });
    });
  };
}

/**
 * A framework-free `(request: Request) => Promise<Response>` webhook endpoint for Fetch
 * runtimes (Next.js App Router, Bun, Deno, Cloudflare Workers). Pass a handler, or a
 * handler map as `options.on` (or `options.handOff`) and no handler.
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
  options: ColivaraWebhookOptions = {},
): (request: Request) => Promise<Response> {
  return createFetchHandler(handler, options);
}
