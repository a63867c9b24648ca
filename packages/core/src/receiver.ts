import { isWebhookVerificationError, WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent, UnknownEvent, UpsertFailEvent, UpsertSuccessEvent, VerifiedWebhook } from "./events.js";
import type { HeaderInput } from "./headers.js";
import { parseLimit } from "./limit.js";
import { createVerifier, type Verifier, type VerifierOptions } from "./verifier.js";

type Handler<E extends ColivaraEvent> = (event: E, webhook: VerifiedWebhook<E>) => unknown;

/**
 * Handlers keyed by event type, for adapters that answer the request themselves. A type
 * without a handler is acknowledged; `unknown` catches types this version does not know.
 *
 * @example
 * ```ts
 * const on: WebhookHandlers = {
 *   "upsert.success": async (event) => markReady(event.id),
 *   "upsert.fail": async (event) => alertOps(event.name, event.error),
 * };
 * ```
 */
export interface WebhookHandlers {
  "upsert.success"?: Handler<UpsertSuccessEvent>;
  "upsert.fail"?: Handler<UpsertFailEvent>;
  unknown?: Handler<UnknownEvent>;
}

/**
 * What `onError` receives besides the error: which delivery, if it was verified.
 *
 * @example
 * ```ts
 * const onError = (error: unknown, context: ErrorContext) => log.error({ id: context.webhook?.id, error });
 * ```
 */
export interface ErrorContext {
  webhook?: VerifiedWebhook | undefined;
}

/**
 * Options every adapter accepts; defaults live in {@link createReceiver}.
 *
 * @example
 * ```ts
 * const options: ReceiverOptions = { limit: "256kb", on: { "upsert.fail": notify } };
 * ```
 */
export interface ReceiverOptions extends VerifierOptions {
  /** Largest accepted body, in bytes or as `"1mb"`. Default 1 MiB. */
  limit?: number | string | undefined;
  /** Handler map: the adapter answers itself (204, or 500 when a handler throws). */
  on?: WebhookHandlers | undefined;
  /** Called for handler failures and server-side misconfiguration. Default: console.error. */
  onError?: ((error: unknown, context: ErrorContext) => void) | undefined;
}

/**
 * A framework-free response an adapter writes as it is.
 *
 * @example
 * ```ts
 * const toFetch = (r: WebhookResponse) => new Response(r.body || null, { status: r.status, headers: r.headers });
 * ```
 */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What an adapter read from the request. `body` is the raw bytes, or `bodyError` says why
 * they could not be read (over the limit, already parsed, aborted).
 *
 * @example
 * ```ts
 * const input: ReceiveInput = { method: req.method, headers: req.headers, body: rawBytes };
 * ```
 */
export interface ReceiveInput {
  method?: string | undefined;
  headers: HeaderInput;
  body?: Uint8Array | ArrayBuffer | string | undefined;
  bodyError?: unknown;
}

/**
 * The outcome: either a `response` to write, or (middleware mode, no handler map) the
 * verified `webhook` to hand to the user's next handler.
 *
 * @example
 * ```ts
 * const result: ReceiveResult = await receiver.receive(input);
 * if (result.response) write(result.response); else next(result.webhook);
 * ```
 */
export type ReceiveResult =
  | { response: WebhookResponse; webhook?: undefined }
  | { response?: undefined; webhook: VerifiedWebhook };

/**
 * The HTTP policy shared by every adapter: statuses, error bodies, handler dispatch.
 *
 * @example
 * ```ts
 * const receiver = createReceiver({ on: { "upsert.success": save } });
 * const { response } = await receiver.receive({ method: "POST", headers, body });
 * ```
 */
export interface WebhookReceiver {
  /** The body limit in bytes, for the adapter's reader. */
  readonly limit: number;
  /** True when a handler map makes the receiver answer every request itself. */
  readonly answersItself: boolean;
  receive(input: ReceiveInput): Promise<ReceiveResult>;
  /** The response for any error, as the failure table says. */
  errorResponse(error: unknown): WebhookResponse;
  /** Runs the handler map for a verified delivery: 204, or 500 when a handler throws. */
  dispatch(webhook: VerifiedWebhook): Promise<WebhookResponse>;
  /** Reports a failed user handler through `onError` and returns the 500 to send. */
  handlerFailed(error: unknown, webhook: VerifiedWebhook): WebhookResponse;
}

const HANDLER_KEYS = new Set(["upsert.success", "upsert.fail", "unknown"]);
const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

function defaultOnError(error: unknown, context: ErrorContext): void {
  const where = context.webhook ? ` (delivery ${context.webhook.id})` : "";
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`[colivara-webhooks] ${message}${where}`);
}

function checkHandlers(on: unknown): WebhookHandlers | undefined {
  if (on === undefined) return undefined;
  if (on === null || typeof on !== "object") {
    throw new WebhookVerificationError("invalid_config", 'on must be an object like { "upsert.success": fn }.');
  }
  for (const [key, value] of Object.entries(on)) {
    if (!HANDLER_KEYS.has(key)) {
      throw new WebhookVerificationError(
        "invalid_config",
        `on has an unexpected key "${key}"; use "upsert.success", "upsert.fail" or "unknown" (for types added later).`,
      );
    }
    if (typeof value !== "function") {
      throw new WebhookVerificationError("invalid_config", `on["${key}"] must be a function.`);
    }
  }
  return on as WebhookHandlers;
}

function json(status: number, payload: unknown, extra?: Record<string, string>): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS, ...extra }, body: JSON.stringify(payload) };
}

/**
 * Builds the shared HTTP policy. Configuration is checked here; with `lazySecret` the
 * secret is resolved on the first request instead (so `next build` runs without it), and
 * a missing secret then answers 500 and is reported through `onError`.
 *
 * @example
 * ```ts
 * import { createReceiver } from "@colivara/webhooks/adapter";
 *
 * const receiver = createReceiver({ secret: process.env.COLIVARA_WEBHOOK_SECRET });
 * const result = await receiver.receive({ method: "POST", headers: request.headers, body: await request.arrayBuffer() });
 * ```
 */
export function createReceiver(
  options: ReceiverOptions = {},
  settings: { lazySecret?: boolean } = {},
): WebhookReceiver {
  const limit = parseLimit(options.limit);
  const handlers = checkHandlers(options.on);
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new WebhookVerificationError("invalid_config", "onError must be a function (error, context) => void.");
  }
  const onError = options.onError ?? defaultOnError;
  let verifier: Verifier | undefined = settings.lazySecret ? undefined : createVerifier(options);

  function report(error: unknown, context: ErrorContext): void {
    try {
      onError(error, context);
    } catch {
      // A failing reporter must not turn a handled failure into a crash.
    }
  }

  function errorResponse(error: unknown): WebhookResponse {
    if (isWebhookVerificationError(error)) {
      if (error.status >= 500) report(error, {});
      const extra = error.code === "method_not_allowed" ? { allow: "POST" } : undefined;
      return json(error.status, { error: { code: error.code, message: error.message } }, extra);
    }
    report(error, {});
    return json(500, { error: { code: "handler_failed", message: "Internal error while receiving the webhook." } });
  }

  function handlerFailed(error: unknown, webhook: VerifiedWebhook): WebhookResponse {
    report(error, { webhook });
    // The handler's own message may hold anything; it goes to onError, not the sender.
    return json(500, {
      error: { code: "handler_failed", message: "The webhook handler failed; the delivery will be retried." },
    });
  }

  async function dispatch(webhook: VerifiedWebhook): Promise<WebhookResponse> {
    const handler = handlers?.[webhook.event.type] as Handler<ColivaraEvent> | undefined;
    if (handler) {
      try {
        await handler(webhook.event, webhook);
      } catch (error) {
        return handlerFailed(error, webhook);
      }
    }
    return { status: 204, headers: {}, body: "" };
  }

  async function receive(input: ReceiveInput): Promise<ReceiveResult> {
    try {
      if (input.method !== undefined && input.method.toUpperCase() !== "POST") {
        throw new WebhookVerificationError(
          "method_not_allowed",
          `Webhook endpoints accept POST only, got ${input.method}.`,
        );
      }
      if (input.bodyError !== undefined) throw input.bodyError;
      verifier ??= createVerifier(options);
      const webhook = await verifier.verify(input.body as Uint8Array, input.headers);
      if (!handlers) return { webhook };
      return { response: await dispatch(webhook) };
    } catch (error) {
      return { response: errorResponse(error) };
    }
  }

  return { limit, answersItself: handlers !== undefined, receive, errorResponse, dispatch, handlerFailed };
}
