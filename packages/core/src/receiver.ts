import { type DedupeClaim, type DedupeStore, memoryStore } from "./dedupe.js";
import { isWebhookVerificationError, WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent, UnknownEvent, UpsertFailEvent, UpsertSuccessEvent, VerifiedWebhook } from "./events.js";
import { type DeadLetter, type HandOff, isPermanentFailure } from "./hand-off.js";
import type { HeaderInput } from "./headers.js";
import { parseLimit } from "./limit.js";
import { parseReadTimeout } from "./read-timeout.js";
import { type Check, createCheck, type VerifierOptions } from "./verifier.js";

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
  /** How long the whole body may take to arrive before a 408. Default 10,000 ms. */
  readTimeoutMs?: number | undefined;
  /** Handler map: the adapter answers itself (204, or 500 when a handler throws). */
  on?: WebhookHandlers | undefined;
  /** Called for handler failures and server-side misconfiguration. Default: console.error. */
  onError?: ((error: unknown, context: ErrorContext) => void) | undefined;
  /**
   * Handles each delivery id once: a store, or `false` to turn it off. Default: an
   * in-memory store (enough for one instance; use `redisStore` across instances).
   */
  dedupe?: DedupeStore | false | undefined;
  /**
   * Stores each verified delivery durably instead of running a handler in the request
   * (`bullmqHandOff(queue)` from `@colivara/webhooks-bullmq`): 202 once stored, 200 for a
   * copy, 503 when the store is unreachable. The queue's job id is the delivery id, so no
   * dedupe store is used unless one is given.
   */
  handOff?: HandOff | undefined;
  /** Keeps deliveries a handler refused with `permanentFailure()`. Default: reported through `onError`. */
  deadLetter?: DeadLetter | undefined;
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
  | { response: WebhookResponse; webhook?: undefined; settle?: undefined }
  | {
      response?: undefined;
      webhook: VerifiedWebhook;
      /**
       * Call once the user's code has answered: `true` for a 2xx, so the id is remembered
       * as handled; `false` gives the claim back so the sender's retry is processed.
       */
      settle: (handled: boolean) => Promise<void>;
    };

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
  /** The read timeout in milliseconds, for the adapter's reader. */
  readonly readTimeoutMs: number;
  /** True when a handler map makes the receiver answer every request itself. */
  readonly answersItself: boolean;
  /**
   * True when a dedupe store needs to learn each outcome through `settle`; without one
   * (`dedupe: false`) `settle` does nothing and adapters may skip watching the response.
   */
  readonly tracksDeliveries: boolean;
  receive(input: ReceiveInput): Promise<ReceiveResult>;
  /**
   * `receive` without the promise when the outcome is already known (node:crypto, no store,
   * no handler map): the hot path of Node middleware, where each promise is a share of a
   * small delivery's cost. Never throws.
   */
  receiveNow(input: ReceiveInput): ReceiveResult | Promise<ReceiveResult>;
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

function checkDedupe(dedupe: unknown): DedupeStore | undefined {
  if (dedupe === false) return undefined;
  if (dedupe === undefined) return memoryStore();
  const store = dedupe as Partial<DedupeStore> | null;
  if (
    typeof store !== "object" ||
    store === null ||
    typeof store.claim !== "function" ||
    typeof store.complete !== "function" ||
    typeof store.release !== "function"
  ) {
    throw new WebhookVerificationError(
      "invalid_config",
      "dedupe must be a store with claim/complete/release (memoryStore(), redisStore(client)) or false.",
    );
  }
  return store as DedupeStore;
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

/** The `settle` of a receiver without a dedupe store: nothing needs to learn the outcome. */
export function settleNothing(): Promise<void> {
  return Promise.resolve();
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
  const readTimeoutMs = parseReadTimeout(options.readTimeoutMs);
  const handlers = checkHandlers(options.on);
  if (options.on !== undefined && options.handOff !== undefined) {
    throw new WebhookVerificationError(
      "invalid_config",
      "Pass either on (handlers run in the request) or handOff (a worker runs them later), not both.",
    );
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new WebhookVerificationError("invalid_config", "onError must be a function (error, context) => void.");
  }
  const onError = options.onError ?? defaultOnError;
  const handOff = options.handOff;
  const deadLetter = options.deadLetter;
  // A hand-off queue keys its jobs by delivery id: it is the dedupe.
  const store = handOff !== undefined && options.dedupe === undefined ? undefined : checkDedupe(options.dedupe);
  let check: Check | undefined = settings.lazySecret ? undefined : createCheck(options).check;

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
      const extra =
        error.code === "method_not_allowed"
          ? { allow: "POST" }
          : error.code === "payload_too_large" || error.code === "request_timeout"
            ? // The rest of the upload is not drained: the connection is closed instead.
              { connection: "close" }
            : undefined;
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
        if (isPermanentFailure(error)) return abandon(error, webhook);
        return handlerFailed(error, webhook);
      }
    }
    return { status: 204, headers: {}, body: "" };
  }

  async function abandon(error: WebhookVerificationError, webhook: VerifiedWebhook): Promise<WebhookResponse> {
    try {
      if (deadLetter) await deadLetter(webhook, error);
      else report(error, { webhook });
    } catch (failure) {
      // Not kept: the sender must keep retrying it.
      return handlerFailed(failure, webhook);
    }
    return json(
      422,
      { error: { code: "permanent_failure", message: "The delivery was refused for good; do not retry it." } },
      { "webhook-delivery": "abort-message" },
    );
  }

  async function enqueue(webhook: VerifiedWebhook, into: HandOff): Promise<WebhookResponse> {
    let outcome: "stored" | "duplicate";
    try {
      outcome = await into.enqueue(webhook, {});
    } catch (error) {
      report(error, { webhook });
      return json(503, {
        error: {
          code: "handoff_unavailable",
          message: "The delivery queue is unavailable; the delivery will be retried.",
        },
      });
    }
    return outcome === "duplicate" ? json(200, { duplicate: true }) : json(202, { accepted: true });
  }

  async function settleClaim(webhook: VerifiedWebhook, claim: DedupeClaim | undefined, handled: boolean) {
    if (store === undefined || claim?.token === undefined) return;
    try {
      if (handled) await store.complete(webhook.id, claim.token);
      else await store.release(webhook.id, claim.token);
    } catch (error) {
      // The answer is already decided; an unreleased claim expires with its lease.
      report(error, { webhook });
    }
  }

  async function claim(webhook: VerifiedWebhook): Promise<DedupeClaim | WebhookResponse | undefined> {
    if (store === undefined) return undefined;
    let result: DedupeClaim;
    try {
      result = await store.claim(webhook.id);
    } catch (error) {
      report(error, { webhook });
      // Without the store we cannot promise exactly-once: let the sender retry later.
      return json(503, {
        error: {
          code: "dedupe_unavailable",
          message: "The delivery store is unavailable; the delivery will be retried.",
        },
      });
    }
    if (result.status === "done") return json(200, { duplicate: true });
    if (result.status === "in_flight") {
      return json(409, {
        error: {
          code: "delivery_in_progress",
          message: "This delivery is being handled by another attempt; retry later.",
        },
      });
    }
    return result;
  }

  async function claimAndDispatch(webhook: VerifiedWebhook): Promise<ReceiveResult> {
    const claimed = await claim(webhook);
    if (claimed !== undefined && "body" in claimed) return { response: claimed };
    if (!handlers && !handOff) return { webhook, settle: (handled) => settleClaim(webhook, claimed, handled) };
    const response = handOff ? await enqueue(webhook, handOff) : await dispatch(webhook);
    // A delivery kept as a dead letter is done too: a copy must not run the handler again.
    await settleClaim(webhook, claimed, response.status < 300 || response.headers["webhook-delivery"] !== undefined);
    return { response };
  }

  function rejected(error: unknown): ReceiveResult {
    return { response: errorResponse(error) };
  }

  function accepted(webhook: VerifiedWebhook): ReceiveResult | Promise<ReceiveResult> {
    // Middleware without a store (the common hot path): nothing to claim or dispatch.
    if (store === undefined && !handlers && !handOff) return { webhook, settle: settleNothing };
    return claimAndDispatch(webhook).catch(rejected);
  }

  function receiveNow(input: ReceiveInput): ReceiveResult | Promise<ReceiveResult> {
    let checked: VerifiedWebhook | Promise<VerifiedWebhook>;
    try {
      if (input.method !== undefined && input.method.toUpperCase() !== "POST") {
        throw new WebhookVerificationError(
          "method_not_allowed",
          `Webhook endpoints accept POST only, got ${input.method}.`,
        );
      }
      if (input.bodyError !== undefined) throw input.bodyError;
      check ??= createCheck(options).check;
      checked = check(input.body as Uint8Array, input.headers);
    } catch (error) {
      return rejected(error);
    }
    // node:crypto verifies synchronously: no promise is chained until the answer.
    if (checked instanceof Promise) return checked.then(accepted, rejected);
    return accepted(checked);
  }

  function receive(input: ReceiveInput): Promise<ReceiveResult> {
    return Promise.resolve(receiveNow(input));
  }

  return {
    limit,
    readTimeoutMs,
    answersItself: handlers !== undefined || handOff !== undefined,
    tracksDeliveries: store !== undefined,
    receive,
    receiveNow,
    errorResponse,
    dispatch,
    handlerFailed,
  };
}
