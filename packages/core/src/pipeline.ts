import { createDedupeGate, type GateDecision, type SettleClaim } from "./dedupe-gate.js";
import { isWebhookVerificationError, WebhookVerificationError } from "./errors.js";
import type { ColivaraEvent, VerifiedWebhook } from "./events.js";
import { isPermanentFailure } from "./hand-off.js";
import type { HeaderInput } from "./headers.js";
import { andThen } from "./maybe-async.js";
import { isInvalidMetadata } from "./metadata-check.js";
import { type ColivaraWebhookOptions, type EventHandler, type ResolvedOptions, resolveOptions } from "./options.js";
import { responses, type WebhookResponse } from "./responses.js";

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
  settings: { lazySecret?: boolean } = {},
): DeliveryPipeline {
  // `M` types the user's handlers; inside, a delivery is a delivery.
  const resolved = resolveOptions(options as ColivaraWebhookOptions, settings);
  const { report, handlers, handOff } = resolved;
  const gate = createDedupeGate(resolved.store, report);

  function reject(port: DeliveryPort, error: unknown) {
    if (!isWebhookVerificationError(error) || error.status >= 500) report(error, {});
    port.send(responses.rejected(error));
  }

  function run(port: DeliveryPort) {
    const method = port.method;
    if (method !== undefined && method !== "POST" && method.toUpperCase() !== "POST") {
      return reject(port, methodNotAllowed(method));
    }
    port.readBody((error, body) => (error === undefined ? verify(port, body) : reject(port, error)));
  }

  function verify(port: DeliveryPort, body: Uint8Array | string | undefined) {
    let checked: ReturnType<ReturnType<ResolvedOptions["check"]>>;
    try {
      // No body at all (a parser kept none) is refused by the check as body_already_parsed.
      checked = resolved.check()(body as Uint8Array | string, port.headers);
    } catch (error) {
      return reject(port, error);
    }
    andThen(
      checked,
      (webhook) => admit(port, webhook),
      (error) => reject(port, error),
    );
  }

  function admit(port: DeliveryPort, webhook: VerifiedWebhook) {
    const decide = (decision: GateDecision) =>
      decision.kind === "answer" ? port.send(decision.response) : checkMetadata(port, webhook, decision.settle);
    andThen(gate(webhook), decide, (error) => reject(port, error));
  }

  /** The `metadata` schema, once claimed: a mismatch is refused for good; a schema that throws is retried. */
  function checkMetadata(port: DeliveryPort, webhook: VerifiedWebhook, settle: SettleClaim) {
    andThen(
      resolved.metadata(webhook),
      // The queue keeps the delivery as sent (a schema's output may not survive JSON).
      (typed) => handOver(port, handOff ? webhook : typed, settle),
      (error) => {
        if (isInvalidMetadata(error)) refuseMetadata(port, webhook, settle, error);
        else failed(port, webhook, settle, error);
      },
    );
  }

  /** The user's own data, and none of their code ran: onError hears of it even when deadLetter keeps it. */
  function refuseMetadata(
    port: DeliveryPort,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    error: WebhookVerificationError,
  ) {
    if (resolved.deadLetter) report(error, { webhook });
    abandon(port, webhook, settle, error);
  }

  function handOver(port: DeliveryPort, webhook: VerifiedWebhook, settle: SettleClaim) {
    if (handOff) return enqueue(port, webhook, settle);
    if (handlers) return runHandler(port, webhook, settle, runHandlerMap, noAnswer);
    if (port.call) return runHandler(port, webhook, settle, port.call, port.statusOf ?? noAnswer);
    if (!port.forward) throw new TypeError("A delivery port needs call or forward.");
    let answered = false;
    port.forward(webhook, (status, error) => {
      if (answered) return;
      answered = true;
      if (error !== undefined || status >= 500) report(error ?? failedAnswer(status, webhook), { webhook });
      void settle(is2xx(status));
    });
  }

  function runHandlerMap(webhook: VerifiedWebhook): unknown {
    const handler = handlers?.[webhook.event.type] as EventHandler<ColivaraEvent> | undefined;
    return handler?.(webhook.event, webhook);
  }

  function runHandler(
    port: DeliveryPort,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    call: (webhook: VerifiedWebhook) => unknown,
    statusOf: (returned: unknown) => number | undefined,
  ) {
    let returned: unknown;
    try {
      returned = call(webhook);
    } catch (error) {
      return failed(port, webhook, settle, error);
    }
    const answer = (value: unknown) => {
      let status: number | undefined;
      try {
        status = statusOf(value);
      } catch (error) {
        return failed(port, webhook, settle, error);
      }
      after(settle(status === undefined || is2xx(status)), () =>
        status === undefined ? port.send(responses.noContent()) : port.pass?.(value),
      );
    };
    andThen(returned, answer, (error) => failed(port, webhook, settle, error));
  }

  function failed(port: DeliveryPort, webhook: VerifiedWebhook, settle: SettleClaim, error: unknown): void {
    if (isPermanentFailure(error)) {
      abandon(port, webhook, settle, error);
      return;
    }
    report(error, { webhook });
    const misconfigured = isWebhookVerificationError(error) && error.code === "invalid_config";
    after(settle(false), () => port.send(misconfigured ? responses.rejected(error) : responses.handlerFailed()));
  }

  function abandon(
    port: DeliveryPort,
    webhook: VerifiedWebhook,
    settle: SettleClaim,
    error: WebhookVerificationError,
  ): void {
    const deadLetter = resolved.deadLetter ?? ((kept: VerifiedWebhook) => report(error, { webhook: kept }));
    let kept: unknown;
    try {
      kept = deadLetter(webhook, error);
    } catch (failure) {
      failed(port, webhook, settle, failure);
      return;
    }
    // Kept: the sender is told to stop, and a copy that still arrives is a duplicate.
    const stop = () => after(settle(true), () => port.send(responses.aborted(error.code)));
    andThen(kept, stop, (failure) => failed(port, webhook, settle, failure));
  }

  function enqueue(port: DeliveryPort, webhook: VerifiedWebhook, settle: SettleClaim) {
    const stored = (outcome: "stored" | "duplicate") =>
      after(settle(true), () => port.send(outcome === "duplicate" ? responses.duplicate() : responses.accepted()));
    const unavailable = (error: unknown) => {
      report(error, { webhook });
      after(settle(false), () => port.send(responses.handOffUnavailable()));
    };
    let pending: Promise<"stored" | "duplicate">;
    try {
      pending = (handOff as NonNullable<typeof handOff>).enqueue(webhook, {});
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
