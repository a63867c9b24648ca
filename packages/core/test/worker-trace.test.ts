// The worker core's span (src/worker/trace.ts) against the real OpenTelemetry SDK: one consumer
// span per run, linked to the request that handed the delivery off, the sender's id escaped;
// and the trace context a hand-off stores when no telemetry option gave it one.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { upsertSuccessEvent, verifiedWebhook } from "../src/testing.js";
import { createJobRunner, currentTraceContext } from "../src/worker.js";
import { MemoryQueue } from "./memory-queue.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const QUEUE = { creator: "createMemoryWorker", system: "memory", scope: "@colivara/webhooks-memory" };

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

it("a hand-off inside a request's span stores its trace context; the job's span links to it", async () => {
  const request = trace.getTracer("test").startSpan("POST /webhooks/colivara");
  const stored = await context.with(trace.setSpan(context.active(), request), () => currentTraceContext());
  request.end();
  const { traceId, spanId } = request.spanContext();
  expect(stored).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });

  const runner = createJobRunner({ on: { "upsert.success": () => {} } }, QUEUE);
  const queue = new MemoryQueue();
  queue.add(verifiedWebhook(upsertSuccessEvent(), { id: "msg_1\n\u009b" }), stored);
  await queue.work(runner, "msg_1\n\u009b");

  const [span] = exporter.getFinishedSpans().filter((s) => s.name === "colivara.webhook upsert.success");
  expect(span?.kind).toBe(SpanKind.CONSUMER);
  expect(span?.instrumentationScope.name).toBe("@colivara/webhooks-memory");
  // Linked, not parented: the request ended long before the job ran.
  expect(span?.parentSpanContext).toBeUndefined();
  expect(span?.links.map((link) => link.context)).toMatchObject([{ traceId, spanId, isRemote: true }]);
  expect(span?.attributes).toEqual({
    "messaging.system": "memory",
    "messaging.message.id": "msg_1\\x0a\\x9b",
    "colivara.event.type": "upsert.success",
  });
});

it("no active span: no trace context; a malformed traceparent: no link; a failed run: an error span", async () => {
  expect(await currentTraceContext()).toBeUndefined();
  const runner = createJobRunner(
    {
      on: {
        "upsert.success": () => {
          throw new Error("boom");
        },
      },
      onError: () => {},
    },
    QUEUE,
  );
  const queue = new MemoryQueue();
  queue.add(verifiedWebhook(upsertSuccessEvent(), { id: "msg_2" }), { traceparent: "00-zz-01" });
  await queue.work(runner, "msg_2");
  const [span] = exporter.getFinishedSpans();
  expect(span?.links).toEqual([]);
  expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  expect(span?.events.map((event) => event.name)).toEqual(["exception"]);
});
