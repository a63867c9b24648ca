// openTelemetry() against the real OpenTelemetry SDK and its in-memory exporters.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METRICS, openTelemetry, SPAN_NAME } from "../src/otel.js";
import type { HandOffContext } from "../src/pipeline/hand-off.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { type Handler, OLD_SECRET, pipelineFor, signed } from "./record-support.js";

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const contextManager = new AsyncLocalStorageContextManager();
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const tracer = tracerProvider.getTracer("test");

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
beforeEach(() => exporter.reset());

function traced(handler?: Handler, options: Parameters<typeof pipelineFor>[0] = {}) {
  const telemetry = openTelemetry({ tracer, meter: meterProvider.getMeter("test") });
  return pipelineFor({ log: false, telemetry, onError: () => {}, ...options }, handler);
}

const finished = () => exporter.getFinishedSpans().filter((span) => span.name === SPAN_NAME);

async function metric(name: string) {
  const { resourceMetrics } = await reader.collect();
  const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return all.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
}

/** The cumulative delivery counts by outcome and the duration histograms' counts. */
async function totals() {
  const counted = (await metric(METRICS.deliveries)) as DataPoint<number>[];
  const byOutcome = (outcome: string) =>
    counted
      .filter((point) => point.attributes["colivara.webhook.outcome"] === outcome)
      .reduce((sum, point) => sum + point.value, 0);
  const count = async (name: string) =>
    ((await metric(name)) as DataPoint<Histogram>[]).reduce((sum, point) => sum + point.value.count, 0);
  return {
    accepted: byOutcome("accepted"),
    rejected: byOutcome("rejected"),
    verifications: await count(METRICS.verificationDuration),
    handlers: await count(METRICS.handlerDuration),
  };
}

describe("openTelemetry(): one span per attempt", () => {
  it("follows the messaging conventions, runs the handler inside it, and is a child of the active span", async () => {
    let activeInHandler: string | undefined;
    const { receive } = traced(() => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
    });
    const server = tracer.startSpan("POST /webhooks/colivara");
    const request = signed(upsertSuccessEvent(), { id: "msg_traced" });
    await context.with(trace.setSpan(context.active(), server), () => receive(request));
    server.end();
    const [span] = finished();
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.attributes).toMatchObject({
      "messaging.system": "svix",
      "messaging.operation": "process",
      "messaging.operation.type": "process",
      "messaging.message.id": "msg_traced",
      "colivara.webhook.outcome": "accepted",
      "colivara.webhook.event_type": "upsert.success",
      "colivara.webhook.secret_index": 0,
      "http.response.status_code": 204,
      "client.address": "203.0.113.9",
    });
    expect(span?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(activeInHandler).toBe(span?.spanContext().spanId);
  });

  it("names no delivery id or type for a forgery, only the outcome and error type", async () => {
    const { receive } = traced(() => undefined);
    await receive(signed(upsertSuccessEvent(), { secret: OLD_SECRET, id: "msg_forged" }));
    const [span] = finished();
    expect(span?.attributes).toMatchObject({
      "colivara.webhook.outcome": "rejected",
      "error.type": "invalid_signature",
    });
    expect(span?.attributes).not.toHaveProperty("messaging.message.id");
    expect(span?.attributes).not.toHaveProperty("colivara.webhook.event_type");
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a handler failure as an error with the exception", async () => {
    const { receive } = traced(() => {
      throw new Error("could not save");
    });
    await receive(signed());
    const [span] = finished();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.map((event) => event.name)).toContain("exception");
    expect(span?.attributes["colivara.webhook.outcome"]).toBe("handler_failed");
  });

  it("hands the span to the hand-off as W3C trace context", async () => {
    const contexts: HandOffContext[] = [];
    const handOff = {
      enqueue: async (_webhook: unknown, handOffContext: HandOffContext) => {
        contexts.push(handOffContext);
        return "stored" as const;
      },
    };
    const { receive } = traced(undefined, { handOff });
    expect((await receive(signed())).status).toBe(202);
    const [span] = finished();
    const ids = span?.spanContext();
    expect(contexts[0]?.traceContext).toEqual({ traceparent: `00-${ids?.traceId}-${ids?.spanId}-01` });
    expect(span?.attributes["colivara.webhook.outcome"]).toBe("handed_off");
  });
});

describe("openTelemetry(): metrics", () => {
  it("counts deliveries by outcome and records verification and handler durations", async () => {
    // The meter is cumulative and shared with the tests above: count this test's own
    // deliveries as the difference from before them.
    const before = await totals();
    const { receive } = traced(() => undefined);
    await receive(signed());
    await receive(signed(upsertSuccessEvent(), { secret: OLD_SECRET }));
    const after = await totals();
    expect(after.accepted - before.accepted).toBe(1);
    expect(after.rejected - before.rejected).toBe(1);
    expect(after.verifications - before.verifications).toBe(2);
    expect(after.handlers - before.handlers).toBe(1);
  });
});
