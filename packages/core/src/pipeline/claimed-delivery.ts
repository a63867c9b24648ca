import type { SettleClaim } from "../dedupe/dedupe-gate.js";
import { responses } from "../http/responses.js";
import type { DeliveryOutcome } from "../record/delivery-record.js";
import type { Attempt } from "../record/recorder.js";
import { isWebhookVerificationError, WebhookVerificationError } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { ColivaraEvent, VerifiedWebhook } from "../shared/events.js";
import { andThen, andThenWith } from "../shared/maybe-async.js";
import { isInvalidMetadata } from "../verify/metadata-check.js";
import type { AnswerCallback, DeliveryPort } from "./delivery-port.js";
import { type HandOff, type HandOffContext, isPermanentFailure } from "./hand-off.js";
import type { EventHandler, ResolvedOptions } from "./options.js";

/**
 * A verified delivery whose dedupe claim is held: everything the steps after the claim
 * need, in one object (made once per delivery, so the steps stay module-level functions).
 */
export interface ClaimedDelivery {
  readonly options: ResolvedOptions;
  readonly port: DeliveryPort;
  readonly attempt: Attempt;
  readonly webhook: VerifiedWebhook;
  readonly settle: SettleClaim;
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** Runs `next` once `settled` (a claim being written) is done, without a tick when there is none. */
function after(settled: Promise<void> | undefined, next: () => void): void {
  if (settled === undefined) next();
  else settled.then(next, next);
}

function failedAnswer(status: number, webhook: VerifiedWebhook): WebhookVerificationError {
  return new WebhookVerificationError(
    "handler_failed",
    `The route after the webhook verifier answered ${status} for delivery ${escapeText(webhook.id)}; the claim is released so the retry runs it. ` +
      "Let errors reach the pack (see the README's error handling) to see the cause here.",
  );
}

/** How an answer the user's code gave is recorded. */
function outcomeOf(status: number, failure: unknown): DeliveryOutcome {
  if (failure !== undefined || status >= 500) return "handler_failed";
  return is2xx(status) ? "accepted" : "declined";
}

// Stryker disable next-line BlockStatement: an empty body returns undefined as well
function noAnswer(): undefined {
  return undefined;
}

/**
 * The steps after the claim: the `metadata` schema, then the hand-off, the handler map, the
 * user's handler or the next middleware. A mismatch is refused for good; a schema that
 * throws is retried.
 */
export function proceed(delivery: ClaimedDelivery): void {
  andThenWith(delivery.options.metadata(delivery.webhook), typedDelivery, metadataFailed, delivery);
}

function typedDelivery(typed: VerifiedWebhook, delivery: ClaimedDelivery): void {
  // The queue keeps the delivery as sent (a schema's output may not survive JSON).
  handOver(
    delivery.options.handOff ||
      // Stryker disable next-line ConditionalExpression: a copy of the delivery with the same webhook is the same delivery
      typed === delivery.webhook
      ? delivery
      : { ...delivery, webhook: typed },
  );
}

function metadataFailed(error: unknown, delivery: ClaimedDelivery): void {
  if (isInvalidMetadata(error)) refuseMetadata(delivery, error);
  else failed(delivery, error);
}

/** The user's own data, and none of their code ran: onError hears of it even when deadLetter keeps it. */
function refuseMetadata(delivery: ClaimedDelivery, error: WebhookVerificationError): void {
  if (delivery.options.deadLetter) delivery.options.report(error, { webhook: delivery.webhook });
  abandon(delivery, error);
}

function handOver(delivery: ClaimedDelivery) {
  const { options, port, attempt, webhook } = delivery;
  attempt.handlerStarted(webhook);
  if (options.handOff) return enqueue(delivery, options.handOff);
  if (options.handlers) return runHandler(delivery, runHandlerMap, noAnswer);
  if (port.call) return runHandler(delivery, callPort, port.statusOf ?? noAnswer);
  if (!port.forward) throw new TypeError("A delivery port needs call or forward.");
  attempt.within(forwardTo, delivery, undefined, undefined);
}

/**
 * Middleware mode: the route's answer (or error) ends the attempt and settles the claim, once.
 * `forward` is called as the port's method, so a port may be one object per request.
 */
function forwardTo(delivery: ClaimedDelivery): void {
  const { options, attempt, webhook, settle, port } = delivery;
  let answered = false;
  const onAnswer: AnswerCallback = (status, error) => {
    if (answered) return;
    answered = true;
    const failure = error !== undefined || status >= 500 ? (error ?? failedAnswer(status, webhook)) : undefined;
    if (failure !== undefined) options.report(failure, { webhook });
    attempt.end(outcomeOf(status, failure), status, failure);
    void settle(is2xx(status));
  };
  port.forward?.(webhook, onAnswer);
}

/** The port's handler, called as the port's method: a port may keep its request on itself, not in a closure. */
function callPort(this: void, webhook: VerifiedWebhook, _handlers: unknown, port: DeliveryPort): unknown {
  return port.call?.(webhook);
}

function runHandlerMap(this: void, webhook: VerifiedWebhook, handlers?: ResolvedOptions["handlers"]): unknown {
  const handler = handlers?.[webhook.event.type] as EventHandler<ColivaraEvent> | undefined;
  return handler?.(webhook.event, webhook);
}

/** Runs the user's code: a throw answers 500 (or 422 for permanentFailure); nothing returned answers 204. */
function runHandler(
  delivery: ClaimedDelivery,
  call: (webhook: VerifiedWebhook, handlers: ResolvedOptions["handlers"], port: DeliveryPort) => unknown,
  statusOf: (returned: unknown) => number | undefined,
) {
  const { options, port, attempt, webhook, settle } = delivery;
  let returned: unknown;
  try {
    returned = attempt.within(call, webhook, options.handlers, port);
  } catch (error) {
    return failed(delivery, error);
  }
  const answer = (value: unknown) => {
    let status: number | undefined;
    try {
      status = statusOf(value);
    } catch (error) {
      return failed(delivery, error);
    }
    attempt.end(outcomeOf(status ?? 204, undefined), status ?? 204);
    after(settle(status === undefined || is2xx(status)), () =>
      // Stryker disable next-line OptionalChaining: a port's statusOf comes with its pass (the Fetch handler, Next Pages); without one nobody writes the answer either way
      status === undefined ? port.send(responses.noContent()) : port.pass?.(value),
    );
  };
  andThen(returned, answer, (error) => failed(delivery, error));
}

function failed(delivery: ClaimedDelivery, error: unknown): void {
  if (isPermanentFailure(error)) {
    abandon(delivery, error);
    return;
  }
  const { options, port, attempt, webhook, settle } = delivery;
  options.report(error, { webhook });
  const misconfigured = isWebhookVerificationError(error) && error.code === "invalid_config";
  const response = misconfigured ? responses.rejected(error) : responses.handlerFailed();
  attempt.end("handler_failed", response.status, error);
  after(settle(false), () => port.send(response));
}

/** A delivery refused for good: kept through `deadLetter`, then the sender is told to stop. */
function abandon(delivery: ClaimedDelivery, error: WebhookVerificationError): void {
  const { options, port, attempt, webhook, settle } = delivery;
  const deadLetter = options.deadLetter ?? ((kept: VerifiedWebhook) => options.report(error, { webhook: kept }));
  let kept: unknown;
  try {
    kept = deadLetter(webhook, error);
  } catch (failure) {
    failed(delivery, failure);
    return;
  }
  // Kept: the sender is told to stop, and a copy that still arrives is a duplicate.
  const stop = () => {
    const response = responses.aborted(error.code);
    attempt.end("aborted", response.status, error);
    after(settle(true), () => port.send(response));
  };
  andThen(kept, stop, (failure) => failed(delivery, failure));
}

/** The hand-off: 202 once stored, 200 for a copy, 503 when the queue did not store it. */
function enqueue(delivery: ClaimedDelivery, handOff: HandOff) {
  const { options, port, attempt, webhook, settle } = delivery;
  const stored = (outcome: "stored" | "duplicate") => {
    const response = outcome === "duplicate" ? responses.duplicate() : responses.accepted();
    attempt.end(outcome === "duplicate" ? "duplicate" : "handed_off", response.status);
    after(settle(true), () => port.send(response));
  };
  const unavailable = (error: unknown) => {
    options.report(error, { webhook });
    attempt.end("store_unavailable", 503, error, "handoff_unavailable");
    after(settle(false), () => port.send(responses.handOffUnavailable()));
  };
  let pending: Promise<"stored" | "duplicate">;
  try {
    pending = attempt.within(enqueueOn, handOff, webhook, { traceContext: attempt.traceContext() });
  } catch (error) {
    return unavailable(error);
  }
  andThen(pending, stored, unavailable);
}

// Module-level, so running it inside a span allocates no closure per request.
function enqueueOn(
  handOff: HandOff,
  webhook: VerifiedWebhook,
  context: HandOffContext,
): Promise<"stored" | "duplicate"> {
  return handOff.enqueue(webhook, context);
}
