import type { DeliveryRecord } from "./delivery-record.js";

/**
 * Where the `telemetry` option sends each attempt: a span (or any other unit of tracing)
 * started when the request arrives and ended with its record. `openTelemetry()` from
 * `@colivara/webhooks/otel` is the one the pack ships; this interface keeps the core free
 * of any tracing dependency.
 *
 * @example
 * ```ts
 * import { openTelemetry } from "@colivara/webhooks/otel";
 * app.use("/webhooks/colivara", verifyColivara({ telemetry: openTelemetry() }));
 * ```
 */
export interface DeliveryTelemetry {
  /** Called when a request arrives, before its body is read. */
  start(): TelemetryAttempt;
}

/**
 * One attempt's span, as the pipeline drives it.
 *
 * @example
 * ```ts
 * const attempt: TelemetryAttempt = { within: (fn, a, b, c) => fn(a, b, c), traceContext: () => undefined, end() {} };
 * ```
 */
export interface TelemetryAttempt {
  /** Runs the user's code (handler, next middleware, hand-off) with this span active. */
  within<A, B, C, R>(fn: (a: A, b: B, c: C) => R, a: A, b: B, c: C): R;
  /** The span as W3C trace context (`traceparent`, `tracestate`), for a hand-off. */
  traceContext(): Record<string, string> | undefined;
  /** Ends the span with the attempt's record; `error` is what failed, if anything. */
  end(record: DeliveryRecord, error: unknown): void;
}
