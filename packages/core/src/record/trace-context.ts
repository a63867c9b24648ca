/**
 * A span's identity as OpenTelemetry's `SpanContext` holds it, without importing the API:
 * the core writes and reads W3C trace context here, and nowhere else.
 */
export interface SpanIdentity {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: { serialize(): string } | undefined;
}

/**
 * A valid span's W3C trace context (`traceparent`, and `tracestate` when it has one). Written
 * by hand: `propagation.inject` does nothing until the app registers a propagator.
 */
export function toTraceContext(span: SpanIdentity): Record<string, string> {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: Record<string, string> = { traceparent: `00-${span.traceId}-${span.spanId}-${flags}` };
  const state = span.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span a stored `traceparent` names, or undefined when it is absent or malformed. */
export function fromTraceContext(
  carrier: Record<string, string> | undefined,
): { traceId: string; spanId: string; traceFlags: number; isRemote: true } | undefined {
  const match = carrier?.traceparent?.match(TRACEPARENT);
  if (!match) return undefined;
  return {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  };
}
