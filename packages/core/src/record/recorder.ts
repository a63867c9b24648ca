import type { ProxyTrust } from "../http/proxy-trust.js";
import { type DeadlineWatch, watchDeadline } from "../http/read-timeout.js";
import { remoteAddressOf, type TransportFacts } from "../http/transport.js";
import { isWebhookVerificationError, type WebhookErrorCode } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { VerifiedWebhook } from "../shared/events.js";
import type { CheckFacts } from "../verify/verifier.js";
import type { DeliverySink } from "./delivery-log.js";
import { type DeliveryOutcome, type DeliveryRecord, milliseconds } from "./delivery-record.js";
import type { TelemetryAttempt } from "./telemetry.js";
import { createWarnings, type Warnings } from "./warnings.js";

/**
 * One attempt as the pipeline reports it, step by step. The pipeline calls these at every
 * step whether or not anything is recorded: with recording off they are the methods of one
 * shared object that do nothing, so a request allocates nothing for them.
 */
export interface Attempt {
  /** Filled by the check while recording; undefined otherwise (the check then writes nothing). */
  readonly facts: CheckFacts | undefined;
  bodyRead(body: Uint8Array | string | undefined): void;
  verified(webhook: VerifiedWebhook): void;
  /** The user's code (or the hand-off) starts: timed, and watched for slowness. */
  handlerStarted(webhook: VerifiedWebhook): void;
  /** Runs `fn(a, b, c)`, inside the attempt's span when tracing. */
  within<A, B, C, R>(fn: (a: A, b: B, c: C) => R, a: A, b: B, c: C): R;
  traceContext(): Record<string, string> | undefined;
  /**
   * The outcome, decided: written once; later calls are ignored. `code` defaults to the
   * error's, else to the outcome's own (`handler_failed`, `delivery_in_progress`).
   */
  end(outcome: DeliveryOutcome, status: number, error?: unknown, code?: WebhookErrorCode): void;
}

/** Starts an {@link Attempt} per request. */
export interface DeliveryRecorder {
  start(port: TransportFacts): Attempt;
}

const NO_ATTEMPT: Attempt = {
  facts: undefined,
  bodyRead() {},
  verified() {},
  handlerStarted() {},
  within: (fn, a, b, c) => fn(a, b, c),
  traceContext: () => undefined,
  end() {},
};

/** `log: false` and no `telemetry`: the pipeline's steps cost a call to an empty method. */
export const NOT_RECORDING: DeliveryRecorder = { start: () => NO_ATTEMPT };

const clock: () => number = globalThis.performance?.now.bind(globalThis.performance) ?? Date.now;

/** Settings of {@link createRecorder}, resolved from the options. */
export interface RecorderSettings {
  sinks: readonly DeliverySink[];
  telemetry: { start(): TelemetryAttempt } | undefined;
  toleranceSeconds: number;
  slowHandlerMs: number;
  /** The `trustProxy` option, compiled (an adapter's own setting replaces it). */
  trustProxy: ProxyTrust;
  /** Milliseconds clock for the warnings' windows; default `Date.now`. */
  now?: (() => number) | undefined;
}

/** UTF-8 length of a string body without encoding it (only string bodies need this). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

// Module-level, the slow-handler watch's callback with the attempt as its subject: no closure per delivery.
function warnSlowHandler(attempt: RecordingAttempt): void {
  attempt.warnSlow();
}

class RecordingAttempt implements Attempt, CheckFacts {
  skewSeconds: number | undefined = undefined;
  secretIndex: number | undefined = undefined;
  id: string | undefined = undefined;
  private eventType: string | undefined = undefined;
  private bodyBytes: number | undefined = undefined;
  private readonly startedAt = clock();
  private readAt: number | undefined = undefined;
  private verifiedAt: number | undefined = undefined;
  private handlerAt: number | undefined = undefined;
  private handledId: string | undefined = undefined;
  private slowWatch: DeadlineWatch | undefined = undefined;
  private ended = false;

  constructor(
    private readonly recorder: Recorder,
    private readonly port: TransportFacts,
    private readonly span: TelemetryAttempt | undefined,
  ) {}

  get facts(): CheckFacts {
    return this;
  }

  bodyRead(body: Uint8Array | string | undefined): void {
    this.readAt = clock();
    if (body !== undefined) this.bodyBytes = typeof body === "string" ? utf8Length(body) : body.byteLength;
  }

  verified(webhook: VerifiedWebhook): void {
    this.verifiedAt = clock();
    const { event } = webhook;
    this.eventType = event.type === "unknown" ? event.originalType : event.type;
    this.recorder.warnings.verified(webhook.id, this.skewSeconds);
  }

  handlerStarted(webhook: VerifiedWebhook): void {
    this.handlerAt = clock();
    this.handledId = webhook.id;
    this.slowWatch = watchDeadline(this.recorder.slowHandlerMs, warnSlowHandler, this);
  }

  /** Past `slowHandlerMs`, while the handler still runs. */
  warnSlow(): void {
    this.recorder.warnings.slowHandler(this.handledId as string, this.eventType);
  }

  within<A, B, C, R>(fn: (a: A, b: B, c: C) => R, a: A, b: B, c: C): R {
    return this.span === undefined ? fn(a, b, c) : this.span.within(fn, a, b, c);
  }

  traceContext(): Record<string, string> | undefined {
    return this.span?.traceContext();
  }

  private addTimings(record: DeliveryRecord, endedAt: number): void {
    const { readAt, verifiedAt, handlerAt } = this;
    if (readAt !== undefined) record.verifyMs = milliseconds((verifiedAt ?? endedAt) - readAt);
    if (handlerAt !== undefined) record.handlerMs = milliseconds(endedAt - handlerAt);
  }

  private addFacts(record: DeliveryRecord): void {
    if (this.bodyBytes !== undefined) record.bodyBytes = this.bodyBytes;
    if (this.skewSeconds !== undefined) record.skewSeconds = this.skewSeconds;
    if (this.secretIndex !== undefined) record.secretIndex = this.secretIndex;
    const address = remoteAddressOf(this.port, this.recorder.trustProxy);
    // X-Forwarded-For is any client's text: escaped here, once, for every sink and the span.
    if (address !== undefined) record.remoteAddress = escapeText(address);
  }

  end(outcome: DeliveryOutcome, status: number, error?: unknown, code?: WebhookErrorCode): void {
    if (this.ended) return;
    this.ended = true;
    this.slowWatch?.cancel();
    const { recorder, span } = this;
    // Nobody keeps this record (the default log, an accepted delivery): build nothing. Every
    // invalid signature is wanted by every sink, so the burst count misses none.
    if (span === undefined && !recorder.wanted(outcome, status)) return;
    const endedAt = clock();
    // Built field by field, only with what was measured: no undefined keys, no deletes (which
    // would turn the object into a slow dictionary for the logger's serialiser).
    const record: DeliveryRecord = { outcome, status };
    const failure = codeOf(outcome, error, code);
    if (failure !== undefined) record.code = failure;
    // Signed is not safe: the sender chose these strings. Escaped once, for every sink and the span.
    if (this.id !== undefined) record.deliveryId = escapeText(this.id);
    if (this.eventType !== undefined) record.eventType = escapeText(this.eventType);
    record.durationMs = milliseconds(endedAt - this.startedAt);
    this.addTimings(record, endedAt);
    this.addFacts(record);
    recorder.write(record, error, span);
  }
}

const OUTCOME_CODES: Partial<Record<DeliveryOutcome, WebhookErrorCode>> = {
  in_progress: "delivery_in_progress",
  handler_failed: "handler_failed",
  aborted: "permanent_failure",
};

function codeOf(
  outcome: DeliveryOutcome,
  error: unknown,
  code: WebhookErrorCode | undefined,
): WebhookErrorCode | undefined {
  if (code !== undefined) return code;
  if (outcome === "handler_failed") {
    return isWebhookVerificationError(error) && error.code === "invalid_config" ? error.code : "handler_failed";
  }
  if (outcome === "rejected" && !isWebhookVerificationError(error)) return "handler_failed";
  return isWebhookVerificationError(error) ? error.code : OUTCOME_CODES[outcome];
}

function startSpan(telemetry: RecorderSettings["telemetry"]): TelemetryAttempt | undefined {
  try {
    return telemetry?.start();
  } catch {
    // A broken tracer costs the span, never the delivery.
    return undefined;
  }
}

interface Recorder extends DeliveryRecorder {
  readonly warnings: Warnings;
  readonly slowHandlerMs: number;
  readonly trustProxy: ProxyTrust;
  /** True when some sink keeps a record of this outcome. */
  wanted(outcome: DeliveryOutcome, status: number): boolean;
  write(record: DeliveryRecord, error: unknown, span: TelemetryAttempt | undefined): void;
}

/**
 * The recorder behind `log` and `telemetry`: one record per attempt, to every sink and to
 * the span, plus the warnings. A sink or a span that throws is ignored: recording must
 * never change how a delivery is answered.
 *
 * @example
 * ```ts
 * const recorder = createRecorder({ sinks: [loggerSink(pino())], telemetry: undefined, toleranceSeconds: 300, slowHandlerMs: 10_000, trustProxy: TRUST_NONE });
 * ```
 */
export function createRecorder(settings: RecorderSettings): DeliveryRecorder {
  const { sinks, telemetry } = settings;
  const guarded = (write: () => void) => {
    try {
      write();
    } catch {
      // A failing logger or exporter must not turn into a failed delivery.
    }
  };
  const recorder: Recorder = {
    warnings: createWarnings({
      sinks,
      toleranceSeconds: settings.toleranceSeconds,
      slowHandlerMs: settings.slowHandlerMs,
      now: settings.now ?? Date.now,
      guarded,
    }),
    slowHandlerMs: settings.slowHandlerMs,
    trustProxy: settings.trustProxy,
    start: (port) => new RecordingAttempt(recorder, port, startSpan(telemetry)),
    wanted(outcome, status) {
      for (const sink of sinks) if (sink.wants(outcome, status)) return true;
      return false;
    },
    write(record, error, span) {
      for (const sink of sinks) guarded(() => sink.record(record, error));
      if (span !== undefined) guarded(() => span.end(record, error));
      recorder.warnings.ended(record);
    },
  };
  return recorder;
}
