// OpenTelemetry is an optional peer: loaded once with a dynamic import, so an app without
// it pays one resolved promise per job and never a missing-module error. The `/otel` entry
// imports it statically instead: an app imports that entry only when it has the API.
import type * as OpenTelemetry from "@opentelemetry/api";
import { fromTraceContext, toTraceContext } from "../record/trace-context.js";
import { escapeText } from "../shared/escape-text.js";
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

/**
 * The active span as W3C trace context (`traceparent`, `tracestate`), or undefined when
 * OpenTelemetry is absent or no span is active: what a hand-off stores with a delivery when
 * the adapter had no `telemetry` option to give it one.
 *
 * @example
 * ```ts
 * const traceContext = context.traceContext ?? (await currentTraceContext());
 * await queue.add(webhook.event.type, toJobData(webhook, traceContext));
 * ```
 */
export async function currentTraceContext(): Promise<Record<string, string> | undefined> {
  const api = await loadOpenTelemetry();
  const span = api?.trace.getActiveSpan()?.spanContext();
  return span !== undefined && api?.trace.isSpanContextValid(span) ? toTraceContext(span) : undefined;
}

/** Names a job's span: which queue system carries it, and the package (the tracer's scope). */
export interface SpanSource {
  /** `messaging.system`: `"bullmq"`, `"pg-boss"`, … */
  readonly system: string;
  /** The tracer's instrumentation scope: the queue package's name. */
  readonly scope: string;
}

function spanOptions(api: Api, source: SpanSource, data: ColivaraJobData): OpenTelemetry.SpanOptions {
  const linked = fromTraceContext(data.traceContext);
  return {
    kind: api.SpanKind.CONSUMER,
    links: linked && api.trace.isSpanContextValid(linked) ? [{ context: linked }] : [],
    attributes: {
      "messaging.system": source.system,
      // The sender chose the id: escaped like the request's span escapes it.
      "messaging.message.id": escapeText(data.id),
      "colivara.event.type": data.event.type,
    },
  };
}

/**
 * Runs `work` in a consumer span `colivara.webhook <type>`, linked (not parented: the request
 * ended long ago) to the request that handed the delivery off. Without OpenTelemetry, runs
 * `work` alone.
 */
export async function inJobSpan<T>(source: SpanSource, data: ColivaraJobData, work: () => Promise<T>): Promise<T> {
  const api = await loadOpenTelemetry();
  if (api === undefined) return work();
  const tracer = api.trace.getTracer(source.scope);
  const name = `colivara.webhook ${data.event.type}`;
  return tracer.startActiveSpan(name, spanOptions(api, source, data), async (span) => {
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
