import { createDedupeGate, type GateDecision } from "../dedupe/dedupe-gate.js";
import { responses, type WebhookResponse } from "../http/responses.js";
import { routeKey } from "../http/route-key.js";
import { arrivedOverTls, httpsRequired } from "../http/transport.js";
import type { Attempt } from "../record/recorder.js";
import { isWebhookVerificationError, type WebhookErrorCode, WebhookVerificationError } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { VerifiedWebhook } from "../shared/events.js";
import { andThenWith } from "../shared/maybe-async.js";
import { proceed } from "./claimed-delivery.js";
import type { DeliveryPort } from "./delivery-port.js";
import { type ColivaraWebhookOptions, type PipelineSettings, type ResolvedOptions, resolveOptions } from "./options.js";

export type { AnswerCallback, BodyCallback, DeliveryPort } from "./delivery-port.js";

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
  /**
   * True when app-wide middleware should act on a request to `pathname` (relative to where it
   * is mounted): when any router could take it for `path`, whatever its case, trailing or
   * repeated slashes, percent-escapes or dot segments (see {@link routeKey}).
   */
  appliesTo(pathname: string): boolean;
}

/** What the steps before the claim share: the options and the dedupe gate. */
interface PipelineContext {
  readonly options: ResolvedOptions;
  readonly gate: ReturnType<typeof createDedupeGate>;
}

function methodNotAllowed(method: string | undefined): WebhookVerificationError {
  return new WebhookVerificationError(
    "method_not_allowed",
    // Stryker disable next-line ConditionalExpression: run() calls this only with a method (undefined passes as POST)
    `Webhook endpoints accept POST only, got ${method === undefined ? method : escapeText(method)}.`,
  );
}

/** The failure code of a gate's answer (409, 503), for its record. */
function codeOf(response: WebhookResponse): WebhookErrorCode | undefined {
  // Stryker disable next-line ConditionalExpression: the recorder gives in_progress (the gate's only 409) this code too
  if (response.status === 409) return "delivery_in_progress";
  return response.status === 503 ? "dedupe_unavailable" : undefined;
}

/**
 * One request on its way to the claim, handed to each step: the steps are module-level
 * functions taking it (see {@link andThenWith}), so a request makes this one object rather
 * than a closure per step.
 */
class Arrival {
  /** Set once the signature matched. */
  webhook: VerifiedWebhook | undefined = undefined;
  constructor(
    readonly context: PipelineContext,
    readonly port: DeliveryPort,
    readonly attempt: Attempt,
  ) {}
}

function reject(error: unknown, arrival: Arrival): void {
  const { context, port, attempt } = arrival;
  if (!isWebhookVerificationError(error) || error.status >= 500) context.options.report(error, {});
  const response = responses.rejected(error);
  attempt.end("rejected", response.status, error);
  port.send(response);
}

/** Method, transport, then the body: a failure here never reaches the user's code. */
function run(context: PipelineContext, port: DeliveryPort) {
  const { options } = context;
  const attempt = options.recorder.start(port);
  const arrival = new Arrival(context, port, attempt);
  const method = port.method;
  if (
    method !== undefined &&
    // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; toUpperCase() below decides the same
    method !== "POST" &&
    method.toUpperCase() !== "POST"
  ) {
    return reject(methodNotAllowed(method), arrival);
  }
  if (options.requireHttps && !arrivedOverTls(port, options.trustProxy)) {
    return reject(httpsRequired(), arrival);
  }
  port.readBody((error, body) => {
    attempt.bodyRead(body);
    if (error === undefined) verify(arrival, body);
    else reject(error, arrival);
  });
}

function verify(arrival: Arrival, body: Uint8Array | string | undefined) {
  const { context, port, attempt } = arrival;
  let checked: ReturnType<ReturnType<ResolvedOptions["check"]>>;
  try {
    // No body at all (a parser kept none) is refused by the check as body_already_parsed.
    checked = context.options.check()(body as Uint8Array | string, port.headers, attempt.facts, port.parsePayload);
  } catch (error) {
    return reject(error, arrival);
  }
  andThenWith(checked, admit, reject, arrival);
}

/** The dedupe claim: a copy, an attempt in flight or a store that is down is answered here. */
function admit(webhook: VerifiedWebhook, arrival: Arrival) {
  arrival.attempt.verified(webhook);
  arrival.webhook = webhook;
  andThenWith(arrival.context.gate(webhook), decide, reject, arrival);
}

function decide(decision: GateDecision, arrival: Arrival) {
  const { context, port, attempt } = arrival;
  if (decision.kind === "proceed") {
    const webhook = arrival.webhook as VerifiedWebhook;
    return proceed({ options: context.options, port, attempt, webhook, settle: decision.settle });
  }
  attempt.end(decision.outcome, decision.response.status, undefined, codeOf(decision.response));
  port.send(decision.response);
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
  const context: PipelineContext = { options: resolved, gate: createDedupeGate(resolved.store, resolved.report) };
  const webhookKey = routeKey(resolved.path);
  return {
    options: resolved,
    answersItself: resolved.handlers !== undefined || resolved.handOff !== undefined,
    run: (port) => run(context, port),
    appliesTo: (pathname) =>
      // Stryker disable next-line ConditionalExpression: a fast path; routeKey of the path itself is webhookKey
      pathname === resolved.path || routeKey(pathname) === webhookKey,
  };
}
