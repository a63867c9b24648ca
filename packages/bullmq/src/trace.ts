// OpenTelemetry is an optional peer: loaded once with a dynamic import, so an app without
// it pays one resolved promise per job and never a missing-module error.
import { escapeText } from "@colivara/webhooks/adapter";
import type * as OpenTelemetry from "@opentelemetry/api";
import type { ColivaraJobData } from "./job-data.js";

type Api = typeof OpenTelemetry;

let loading: Promise<Api | undefined> | undefined;

/** `@opentelemetry/api` when the app has it, else undefined. */
export function loadOpenTelemetry(): Promise<Api | undefined> {
  loading ??= import("@opentelemetry/api").then(
    (api) => api,
    () => undefined,
  );
  return loading;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The active span as W3C trace context. Written by hand rather than through
 * `propagation.inject`, which does nothing until the app registers a propagator.
 */
export function activeTraceContext(api: Api): Record<string, string> | undefined {
  const context = api.trace.getActiveSpan()?.spanContext();
  if (context === undefined || !api.trace.isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: Record<string, string> = { traceparent: `00-${context.traceId}-${context.spanId}-${flags}` };
  const state = context.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

function linkedContext(api: Api, carrier: Record<string, string> | undefined): OpenTelemetry.SpanContext | undefined {
  const match = carrier?.traceparent?.match(TRACEPARENT);
  if (!match) return undefined;
  const context = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  };
  return api.trace.isSpanContextValid(context) ? context : undefined;
}

/**
 * Runs `work` in a consumer span linked (not parented: the request ended long ago) to the
 * request that handed the delivery off.
 */
export function inWorkerSpan<T>(api: Api, data: ColivaraJobData, work: () => Promise<T>): Promise<T> {
  const linked = linkedContext(api, data.traceContext);
  const tracer = api.trace.getTracer("@colivara/webhooks-bullmq");
  const options: OpenTelemetry.SpanOptions = {
    kind: api.SpanKind.CONSUMER,
    links: linked ? [{ context: linked }] : [],
    attributes: {
      "messaging.system": "bullmq",
      // The sender chose the id: escaped like the request's span escapes it.
      "messaging.message.id": escapeText(data.id),
      "colivara.event.type": data.event.type,
    },
  };
  return tracer.startActiveSpan(`colivara.webhook ${data.event.type}`, options, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
