import { WebhookVerificationError } from "./errors.js";
import type { VerifiedWebhook } from "./events.js";
import { bodyReadError, payloadTooLarge } from "./limit.js";
import type { ColivaraWebhookOptions } from "./options.js";
import { createDeliveryPipeline } from "./pipeline.js";
import { DEFAULT_READ_TIMEOUT_MS, requestTimeout, watchDeadline } from "./read-timeout.js";
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

const ALREADY_READ =
  "The request body was already read (request.json() or request.text() ran before the webhook verifier); pass the untouched Request.";

/**
 * Reads a Fetch body once, refusing it as soon as it passes `limit` (by Content-Length
 * first, then while streaming, whatever Content-Length claimed) so an oversized upload is
 * never buffered or hashed. The whole body shares one `readTimeoutMs` deadline: past it the
 * reader is cancelled and the read fails with `request_timeout` (408).
 *
 * @example
 * ```ts
 * const body = await readFetchBody(request, receiver.limit, receiver.readTimeoutMs);
 * ```
 */
export async function readFetchBody(
  request: Request,
  limit: number,
  readTimeoutMs: number = DEFAULT_READ_TIMEOUT_MS,
): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw payloadTooLarge(limit);
  if (request.bodyUsed) throw new WebhookVerificationError("body_already_parsed", ALREADY_READ);
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  // This runs on every delivery, so it is one function with one deadline for the whole body:
  // a timer and a race per read, or a second async layer, cost a measurable share of a
  // small delivery. On timeout the reader is cancelled, which frees what it buffered and
  // ends the pending read; the flag turns that end into a 408, never a truncated body.
  const reader = stream.getReader();
  let timedOut = false;
  const cancel = watchDeadline(readTimeoutMs, () => {
    timedOut = true;
    reader.cancel().catch(() => {});
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // A client that disconnects mid-upload: a client error, not a server fault.
        throw timedOut ? requestTimeout(readTimeoutMs) : bodyReadError(error, limit);
      }
      if (timedOut) throw requestTimeout(readTimeoutMs);
      if (chunk.done) break;
      total += chunk.value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        throw payloadTooLarge(limit);
      }
      chunks.push(chunk.value);
    }
  } finally {
    cancel();
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

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
 * {@link createWebhookHandler} with the adapters' settings (`lazySecret`: read the secret on
 * the first request, for Next.js builds).
 */
export function createFetchHandler(
  handler: FetchWebhookHandler | undefined,
  options: ColivaraWebhookOptions = {},
  settings: { lazySecret?: boolean } = {},
): (request: Request) => Promise<Response> {
  checkHandler(handler, options);
  const pipeline = createDeliveryPipeline(options, settings);
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
