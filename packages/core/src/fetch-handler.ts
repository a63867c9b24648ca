import { WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent, VerifiedWebhook } from "./events.js";
import { bodyReadError } from "./limit.js";
import type { ColivaraWebhookOptions, PipelineSettings } from "./options.js";
import { createDeliveryPipeline } from "./pipeline.js";
import { readFetchBody } from "./read-fetch-body.js";
import type { WebhookResponse } from "./responses.js";

/**
 * Your code for a verified delivery on a Fetch runtime. Return a `Response`, or nothing
 * for 204; a throw answers 500 (so ColiVara retries) and is reported through `onError`.
 * `M` is the type of `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const handler: FetchWebhookHandler = async ({ event }) => {
 *   if (event.type === "upsert.success") await markReady(event.id);
 * };
 * ```
 */
export type FetchWebhookHandler<M = Record<string, unknown>> = (
  webhook: VerifiedWebhook<ColivaraEvent<M>>,
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

function checkHandler(handler: unknown, options: { handOff?: unknown; on?: unknown }): void {
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
export function createFetchHandler<M>(
  handler: FetchWebhookHandler<M> | undefined,
  options: ColivaraWebhookOptions<M> = {},
  settings: FetchHandlerSettings = {},
): (request: Request) => Promise<Response> {
  checkHandler(handler, options);
  const pipeline = createDeliveryPipeline(options, settings);
  const secure = settings.trustUrlScheme === false ? undefined : isHttps;
  const { limit, readTimeoutMs } = pipeline.options;
  // The pipeline hands over what the metadata schema returned: the handler's `M`.
  const call =
    handler &&
    ((request: Request) => (webhook: VerifiedWebhook) =>
      handler(webhook as VerifiedWebhook<ColivaraEvent<M>>, request));
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
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const fetch = createWebhookHandler(
 *   async ({ event }) => {
 *     if (event.type === "upsert.success") console.log(event.metadata.tenant); // string
 *   },
 *   { metadata: z.object({ tenant: z.string() }) },
 * );
 * ```
 */
export function createWebhookHandler<M = Record<string, unknown>>(
  handler: FetchWebhookHandler<M> | undefined,
  options: ColivaraWebhookOptions<M> = {},
): (request: Request) => Promise<Response> {
  return createFetchHandler(handler, options);
}
