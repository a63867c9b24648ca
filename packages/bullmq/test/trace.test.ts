// With OpenTelemetry present, the job carries the request's trace context and the
// worker's span links to it: the real SDK with its in-memory exporter, in this process.

import { bullmqHandOff, type ColivaraJobData, createColivaraWorker } from "@colivara/webhooks-bullmq";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { until } from "./support/processes.js";

const exporter = new InMemorySpanExporter();
let redis: RedisServer;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

test("the worker's span links to the span that handed the delivery off", async () => {
  const queue = new Queue<ColivaraJobData>("traced", { connection: { url: redis.url } });
  const handOff = bullmqHandOff(queue as Queue);
  const webhook = {
    id: "msg_traced",
    timestamp: new Date(),
    event: { type: "unknown", originalType: "x", payload: {} },
  };
  const tracer = trace.getTracer("test");
  const request = tracer.startSpan("POST /webhooks/colivara");
  await context.with(trace.setSpan(context.active(), request), () => handOff.enqueue(webhook as never, {}));
  request.end();
  const { traceId, spanId } = request.spanContext();
  expect((await queue.getJob("msg_traced"))?.data.traceContext?.traceparent).toBe(`00-${traceId}-${spanId}-01`);

  const worker = createColivaraWorker("traced", { connection: { url: redis.url }, on: { unknown: () => {} } });
  try {
    const span = await until("the worker's span", () =>
      exporter.getFinishedSpans().find((s) => s.name === "colivara.webhook unknown"),
    );
    expect(span.links.map((link) => link.context)).toMatchObject([{ traceId, spanId }]);
    expect(span.attributes["messaging.message.id"]).toBe("msg_traced");
  } finally {
    await worker.close();
    await queue.close();
  }
}, 60_000);
