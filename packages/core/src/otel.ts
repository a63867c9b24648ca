/**
 * OpenTelemetry for every adapter: one span per delivery attempt, following the messaging
 * semantic conventions, and three metrics. `@opentelemetry/api` is an optional peer of
 * `@colivara/webhooks`: only this entry imports it, so the main entry has no dependency.
 *
 * @packageDocumentation
 */
import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type Histogram,
  type Meter,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { DeliveryRecord } from "./record/delivery-record.js";
import type { DeliveryTelemetry, TelemetryAttempt } from "./record/telemetry.js";
import { toTraceContext } from "./record/trace-context.js";

export type { DeliveryTelemetry, TelemetryAttempt } from "./record/telemetry.js";

/**
 * Options of {@link openTelemetry}; by default the global providers the OpenTelemetry SDK
 * registers (`NodeSDK`, `@vercel/otel`, …).
 *
 * @example
 * ```ts
 * const options: OpenTelemetryOptions = { tracer: provider.getTracer("webhooks") };
 * ```
 */
export interface OpenTelemetryOptions {
  /** Default: `trace.getTracer("@colivara/webhooks")`. */
  tracer?: Tracer | undefined;
  /** Default: `metrics.getMeter("@colivara/webhooks")`, looked up at the first delivery. */
  meter?: Meter | undefined;
}

/** The span's name: the messaging conventions' `{operation} {destination}`. */
export const SPAN_NAME = "process colivara";
/** Metric names, stable like the error codes. */
export const METRICS = {
  deliveries: "colivara.webhook.deliveries",
  verificationDuration: "colivara.webhook.verification.duration",
  handlerDuration: "colivara.webhook.handler.duration",
} as const;

const SCOPE = "@colivara/webhooks";
const START_ATTRIBUTES: Attributes = {
  "messaging.system": "svix",
  "messaging.operation": "process",
  "messaging.operation.type": "process",
  "messaging.operation.name": "process",
};

interface Instruments {
  deliveries: Counter;
  verification: Histogram;
  handler: Histogram;
}

function createInstruments(meter: Meter): Instruments {
  return {
    deliveries: meter.createCounter(METRICS.deliveries, {
      description: "Webhook delivery attempts, by outcome",
      unit: "{delivery}",
    }),
    verification: meter.createHistogram(METRICS.verificationDuration, {
      description: "Time spent verifying a delivery (timestamp, signature, payload)",
      unit: "s",
    }),
    handler: meter.createHistogram(METRICS.handlerDuration, {
      description: "Time spent in the user's code for a verified delivery",
      unit: "s",
    }),
  };
}

/** The span attributes of a record: ids and types only once verified, never a secret or body field. */
export function spanAttributes(record: DeliveryRecord): Attributes {
  const attributes: Attributes = {
    "colivara.webhook.outcome": record.outcome,
    "http.response.status_code": record.status,
  };
  if (record.code !== undefined) attributes["error.type"] = record.code;
  if (record.deliveryId !== undefined) attributes["messaging.message.id"] = record.deliveryId;
  if (record.eventType !== undefined) attributes["colivara.webhook.event_type"] = record.eventType;
  if (record.bodyBytes !== undefined) attributes["messaging.message.body.size"] = record.bodyBytes;
  if (record.secretIndex !== undefined) attributes["colivara.webhook.secret_index"] = record.secretIndex;
  if (record.skewSeconds !== undefined) attributes["colivara.webhook.clock_skew"] = record.skewSeconds;
  if (record.remoteAddress !== undefined) attributes["client.address"] = record.remoteAddress;
  return attributes;
}

/** The span as W3C trace context, for a hand-off. */
function traceContextOf(span: Span): Record<string, string> | undefined {
  const spanContext = span.spanContext();
  return trace.isSpanContextValid(spanContext) ? toTraceContext(spanContext) : undefined;
}

class OtelAttempt implements TelemetryAttempt {
  constructor(
    private readonly span: Span,
    private readonly active: Context,
    private readonly instruments: () => Instruments,
  ) {}

  within<A, B, C, R>(fn: (a: A, b: B, c: C) => R, a: A, b: B, c: C): R {
    return context.with(this.active, fn, undefined, a, b, c);
  }

  traceContext(): Record<string, string> | undefined {
    return traceContextOf(this.span);
  }

  end(record: DeliveryRecord, error: unknown): void {
    const { span } = this;
    if (span.isRecording()) {
      span.setAttributes(spanAttributes(record));
      if (record.status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: record.code ?? "handler_failed" });
        if (error instanceof Error) span.recordException(error);
      }
    }
    span.end();
    const { deliveries, verification, handler } = this.instruments();
    const labels: Attributes = { "colivara.webhook.outcome": record.outcome };
    if (record.code !== undefined) labels["error.type"] = record.code;
    if (record.eventType !== undefined) labels["colivara.webhook.event_type"] = record.eventType;
    deliveries.add(1, labels);
    if (record.verifyMs !== undefined) verification.record(record.verifyMs / 1000, labels);
    if (record.handlerMs !== undefined) handler.record(record.handlerMs / 1000, labels);
  }
}

/**
 * OpenTelemetry for the `telemetry` option of every adapter. Each attempt gets a CONSUMER
 * span `process colivara` (a child of the active span, such as the HTTP server span) with
 * `messaging.system` `svix`, `messaging.operation` `process`, `messaging.message.id` (the
 * delivery id, once verified), `colivara.webhook.outcome`, `colivara.webhook.event_type`,
 * `error.type` and the rest of the record. The user's code runs inside it, and a hand-off
 * carries it as W3C trace context (`traceparent`) to the worker. Metrics: the counter
 * `colivara.webhook.deliveries` by outcome, and the histograms
 * `colivara.webhook.verification.duration` and `colivara.webhook.handler.duration` (seconds).
 * Without a registered SDK every call is OpenTelemetry's no-op.
 *
 * @example
 * ```ts
 * import { verifyColivara } from "@colivara/webhooks-express";
 * import { openTelemetry } from "@colivara/webhooks/otel";
 *
 * app.use("/webhooks/colivara", verifyColivara({ telemetry: openTelemetry() }));
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): DeliveryTelemetry {
  const tracer = options.tracer ?? trace.getTracer(SCOPE);
  let instruments: Instruments | undefined;
  // The metrics API has no proxy meter: look it up once the app has registered its SDK.
  const lookup = () => {
    instruments ??= createInstruments(options.meter ?? metrics.getMeter(SCOPE));
    return instruments;
  };
  return {
    start() {
      const parent = context.active();
      const span = tracer.startSpan(SPAN_NAME, { kind: SpanKind.CONSUMER, attributes: START_ATTRIBUTES }, parent);
      return new OtelAttempt(span, trace.setSpan(parent, span), lookup);
    },
  };
}
