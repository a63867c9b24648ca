import { createDedupeGate, type GateDecision, type SettleClaim } from "./dedupe-gate.js";
import type { DeliveryOutcome } from "./delivery-record.js";
import { isWebhookVerificationError, type WebhookErrorCode, WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent, VerifiedWebhook } from "./events.js";
import { type HandOff, type HandOffContext, isPermanentFailure } from "./hand-off.js";
import type { HeaderInput } from "./headers.js";
import { andThen } from "./maybe-async.js";
import { isInvalidMetadata } from "./metadata-check.js";
import {
  type ColivaraWebhookOptions,
  type EventHandler,
  type PipelineSettings,
  type ResolvedOptions,
  resolveOptions,
} from "./options.js";
import type { Attempt } from "./recorder.js";
import { responses, type WebhookResponse } from "./responses.js";
import { arrivedOverTls, httpsRequired } from "./transport.js";

/** Receives the raw body, or why it could not be read (mapped to the failure table). */
export type BodyCallback = (error: unknown, body?: Uint8Array | string) => void;

/**
 * Middleware mode: the next handler answered with `status`, or failed with `error` (Fastify's
 * route error handler, Hono's `c.error`). Called once; later calls are ignored.
 */
export type AnswerCallback = (status: number, error?: unknown) => void;

/**
 * What an adapter hands the pipeline for one request: how to read its body, how to write an
 * answer, and the user's code, as a function the core calls (`call`) or as the framework's
 * next handler (`forward`). Everything else (the order, the statuses) is the core's.
 *
 * @example
 * ```ts
 * pipeline.run({
 *   method: req.method,
 *   headers: req.headers,
 *   readBody: (done) => readNodeBody(req, pipeline, done),
 *   send: (response) => sendNodeResponse(res, response),
 *   forward: (webhook, answered) => { req.colivara = webhook; watchAnswer(res, answered); next(); },
 * });
 * ```
 */
export interface DeliveryPort {
  readonly method: string | undefined;
  readonly headers: HeaderInput;
  /** Reads the raw bytes once, the limit and timeout enforced; may call back synchronously. */
  readBody(done: BodyCallback): void;
  /** Writes an answer the core decided. */
  send(response: WebhookResponse): void;
  /** The user's handler, run by the core: a throw answers 500; nothing returned answers 204. */
  call?: ((webhook: VerifiedWebhook) => unknown) | undefined;
  /** The status of the answer the user's handler gave (its returned value), or `undefined` for none. */
  statusOf?: ((returned: unknown) => number | undefined) | undefined;
  /** Writes the answer the user's handler gave, once its outcome is recorded. */
  pass?: ((returned: unknown) => void) | undefined;
  /** Middleware mode: hands the verified delivery to the framework's next handler. */
  forward?: ((webhook: VerifiedWebhook, answered: AnswerCallback) => void) | undefined;
  /**
   * True when the request arrived over TLS, as the framework sees it with its own proxy
   * setting (Express `req.secure`, Fastify `request.protocol`, the URL's scheme). Read only
   * with `requireHttps`.
   */
  secure?: (() => boolean) | undefined;
  /** The peer's address, as the framework reports it. Read only while recording. */
  remoteAddress?: (() => string | undefined) | undefined;
}

/**
 * The order of a delivery, written once: method, read, verify, claim, then hand-off, the
 * handler map, the user's handler or the next middleware; then the answer and the claim.
 *
 * @example
 * ```ts
 * const pipeline = createDeliveryPipeline({ on: { "upsert.success": save } });
 * pipeline.run(port);
 * ```
 */
export interface DeliveryPipeline {
  readonly options: ResolvedOptions;
  /** True when the pipeline answers every verified delivery itself (`on` or `handOff`). */
  readonly answersItself: boolean;
  run(port: DeliveryPort): void;
  /** True when app-wide middleware should act on a request to `pathname`. */
  appliesTo(pathname: string): boolean;
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

function methodNotAllowed(method: string | undefined): WebhookVerificationError {
  return new WebhookVerificationError("method_not_allowed", `Webhook endpoints accept POST only, got ${method}.`);
}

function failedAnswer(status: number, webhook: VerifiedWebhook): WebhookVerificationError {
  return new WebhookVerificationError(
    "handler_failed",
    `The route after the webhook verifier answered ${status} for delivery ${webhook.id}; the claim is released so the retry runs it. ` +
      "Let errors reach the pack (see the README's error handling) to see the cause here.",
  );
}

/** Runs `next` once `settled` (a claim being written) is done, without a tick when there is none. */
function after(settled: Promise<void> | undefined, next: () => void): void {
  if (settled === undefined) next();
  else settled.then(next, next);
}

/**
 * Builds the delivery pipeline every adapter runs. Bad configuration throws here, at
 * start-up (with `lazySecret`, the secret alone is checked on the first request).
 *
 * @example
 * ```ts
 * import { createDeliveryPipeline } from "@colivara/webhooks/adapter";
 *
 * const pipeline = createDeliveryPipeline({ secret: process.env.COLIVARA_WEBHOOK_SECRET });
 * ```
 */
export function createDeliveryPipeline<M>(
  options: ColivaraWebhookOptions<M> = {},
  settings: PipelineSettings = {},
): DeliveryPipeline {
  // `M` types the user's handlers; inside, a delivery is a delivery.
  const resolved = resolveOptions(options as ColivaraWebhookOptions, settings);
  const { report, handlers, handOff, recorder } = resolved;
  const gate = createDedupeGate(resolved.store, report);

  function reject(port: DeliveryPort, attempt: Attempt, error: unknown) {
    if (!isWebhookVerificationError(error) || error.status >= 500) report(error, {});
    const response = responses.rejected(error);
    attempt.end("rejected", response.status, error);
    port.send(response);
  }

  function run(port: DeliveryPort) {
    const attempt = recorder.start(port);
    const method = port.method;
    if (method !== undefined && method !== "POST" && method.toUpperCase() !== "POST") {
      return reject(port, attempt, methodNotAllowed(method));
    }
    if (resolved.requireHttps && !arrivedOverTls(port, resolved.trustProxy)) {
      return reject(port, attempt, httpsRequired());
    }
    port.readBody((error, body) => {
      attempt.bodyRead(body);
      if (error === undefined) verify(port, attempt, body);
      else reject(port, attempt, error);
    });
  }

  function verify(port: DeliveryPort, attempt: Attempt, body: Uint8Array | string | undefined) {
    let checked: ReturnType<ReturnType<ResolvedOptions["check"]>>;
    try {
      // No body at all (a parser kept none) is refused by the check as body_already_parsed.
      checked = resolved.check()(body as Uint8Array | string, port.headers, attempt.facts);
    } catch (error) {
      return reject(port, attempt, error);
    }
    andThen(
      checked,
      (webhook) => admit(port, attempt, webhook),
      (error) => reject(port, attempt, error),
    );
  }

  function admit(port: DeliveryPort, attempt: Attempt, webhook: VerifiedWebhook) {
    attempt.verified(webhook);
    const decide = (decision: GateDecision) => {
      if (decision.kind === "proceed") return checkMetadata(port, attempt, webhook, decision.settle);
      attempt.end(decision.outcome, decision.response.status, undefined, codeOf(decision.response));
      port.send(decision.response);
    };
    andThen(gate(webhook), decide, (error) => reject(port, attempt, error));
  }

  /** The `metadata` schema, once claimed: a mismatch is refused for good; a schema that throws is retried. */
  function checkMetadata(port: DeliveryPort, attempt: Attempt, webhook: VerifiedWebhook, settle: SettleClaim) {
    andThen(
      resolved.metadata(webhook),
      // The queue keeps the delivery as sent (a schema's output may not survive JSON).
      (typed) => handOver(port, attempt, handOff ? webhook : typed, settle),
      (error) => {
        if (isInvalidMetadata(error)) refuseMetadata(port, attempt, webhook, settle, error);
        else failed(port, attempt, webhook, settle, error);
      },
    );
  }

  /** The user's own data, and none of their code ran: onError hears of it even when deadLetter keeps it. */
  function refuseMetadata(
    port: DeliveryPort,
    attempt: Attempt,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    error: WebhookVerificationError,
  ) {
    if (resolved.deadLetter) report(error, { webhook });
    abandon(port, attempt, webhook, settle, error);
  }

  function handOver(port: DeliveryPort, attempt: Attempt, webhook: VerifiedWebhook, settle: SettleClaim) {
    attempt.handlerStarted(webhook);
    if (handOff) return enqueue(port, attempt, webhook, settle);
    if (handlers) return runHandler(port, attempt, webhook, settle, runHandlerMap, noAnswer);
    if (port.call) return runHandler(port, attempt, webhook, settle, port.call, port.statusOf ?? noAnswer);
    if (!port.forward) throw new TypeError("A delivery port needs call or forward.");
    let answered = false;
    const onAnswer: AnswerCallback = (status, error) => {
      if (answered) return;
      answered = true;
      const failure = error !== undefined || status >= 500 ? (error ?? failedAnswer(status, webhook)) : undefined;
      if (failure !== undefined) report(failure, { webhook });
      attempt.end(outcomeOf(status, failure), status, failure);
      void settle(is2xx(status));
    };
    attempt.within(forwardTo, port, webhook, onAnswer);
  }

  function runHandlerMap(webhook: VerifiedWebhook): unknown {
    const handler = handlers?.[webhook.event.type] as EventHandler<ColivaraEvent> | undefined;
    return handler?.(webhook.event, webhook);
  }

  function runHandler(
    port: DeliveryPort,
    attempt: Attempt,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    call: (webhook: VerifiedWebhook) => unknown,
    statusOf: (returned: unknown) => number | undefined,
  ) {
    let returned: unknown;
    try {
      returned = attempt.within(call, webhook, undefined, undefined);
    } catch (error) {
      return failed(port, attempt, webhook, settle, error);
    }
    const answer = (value: unknown) => {
      let status: number | undefined;
      try {
        status = statusOf(value);
      } catch (error) {
        return failed(port, attempt, webhook, settle, error);
      }
      attempt.end(outcomeOf(status ?? 204, undefined), status ?? 204);
      after(settle(status === undefined || is2xx(status)), () =>
        status === undefined ? port.send(responses.noContent()) : port.pass?.(value),
      );
    };
    andThen(returned, answer, (error) => failed(port, attempt, webhook, settle, error));
  }

  function failed(
    port: DeliveryPort,
    attempt: Attempt,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    error: unknown,
  ): void {
    if (isPermanentFailure(error)) {
      abandon(port, attempt, webhook, settle, error);
      return;
    }
    report(error, { webhook });
    const misconfigured = isWebhookVerificationError(error) && error.code === "invalid_config";
    const response = misconfigured ? responses.rejected(error) : responses.handlerFailed();
    attempt.end("handler_failed", response.status, error);
    after(settle(false), () => port.send(response));
  }

  function abandon(
    port: DeliveryPort,
    attempt: Attempt,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    error: WebhookVerificationError,
  ): void {
    const deadLetter = resolved.deadLetter ?? ((kept: VerifiedWebhook) => report(error, { webhook: kept }));
    let kept: unknown;
    try {
      kept = deadLetter(webhook, error);
    } catch (failure) {
      failed(port, attempt, webhook, settle, failure);
      return;
    }
    // Kept: the sender is told to stop, and a copy that still arrives is a duplicate.
    const stop = () => {
      const response = responses.aborted(error.code);
      attempt.end("aborted", response.status, error);
      after(settle(true), () => port.send(response));
    };
    andThen(kept, stop, (failure) => failed(port, attempt, webhook, settle, failure));
  }

  function enqueue(port: DeliveryPort, attempt: Attempt, webhook: VerifiedWebhook, settle: SettleClaim) {
    const stored = (outcome: "stored" | "duplicate") => {
      const response = outcome === "duplicate" ? responses.duplicate() : responses.accepted();
      attempt.end(outcome === "duplicate" ? "duplicate" : "handed_off", response.status);
      after(settle(true), () => port.send(response));
    };
    const unavailable = (error: unknown) => {
      report(error, { webhook });
      attempt.end("store_unavailable", 503, error, "handoff_unavailable");
      after(settle(false), () => port.send(responses.handOffUnavailable()));
    };
    let pending: Promise<"stored" | "duplicate">;
    try {
      const context = { traceContext: attempt.traceContext() };
      pending = attempt.within(enqueueOn, handOff as NonNullable<typeof handOff>, webhook, context);
    } catch (error) {
      return unavailable(error);
    }
    andThen(pending, stored, unavailable);
  }

  return {
    options: resolved,
    answersItself: handlers !== undefined || handOff !== undefined,
    run,
    appliesTo: (pathname) => pathname === resolved.path || pathname === `${resolved.path}/`,
  };
}

function noAnswer(): undefined {
  return undefined;
}

/** How an answer the user's code gave is recorded. */
function outcomeOf(status: number, failure: unknown): DeliveryOutcome {
  if (failure !== undefined || status >= 500) return "handler_failed";
  return is2xx(status) ? "accepted" : "declined";
}

/** The failure code of a gate's answer (409, 503), for its record. */
function codeOf(response: WebhookResponse): WebhookErrorCode | undefined {
  if (response.status === 409) return "delivery_in_progress";
  return response.status === 503 ? "dedupe_unavailable" : undefined;
}

// Module-level, so running them inside a span allocates no closure per request.
function forwardTo(port: DeliveryPort, webhook: VerifiedWebhook, onAnswer: AnswerCallback): void {
  (port.forward as NonNullable<DeliveryPort["forward"]>)(webhook, onAnswer);
}

function enqueueOn(
  handOff: HandOff,
  webhook: VerifiedWebhook,
  context: HandOffContext,
): Promise<"stored" | "duplicate"> {
  return handOff.enqueue(webhook, context);
}
