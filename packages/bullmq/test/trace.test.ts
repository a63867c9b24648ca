// With OpenTelemetry present, the job carries the request's trace context and the
// worker's span links to it: the real SDK with its in-memory exporter, in this process. The
// worker writes what the sender chose escaped: its span's message id and its default onError
// line, for an id with a newline, a terminal sequence, a C1 control and U+2028.

import { format } from "node:util";
import { bullmqHandOff, type ColivaraJobData, createColivaraWorker } from "@colivara/webhooks-bullmq";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { until } from "./support/processes.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const HOSTILE_ID = "msg_1\n[colivara-webhooks-bullmq] forged\u001b[2J\u009b\u2028";
const exporter = new InMemorySpanExporter();
let redis: RedisServer;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  redis = await startRedisServer();
});
afterAll(async () => {
  vi.restoreAllMocks();
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

test("the worker's span and default onError escape the delivery id", async () => {
  exporter.reset();
  const printed: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
  const queue = new Queue<ColivaraJobData>("worker-text", { connection: { url: redis.url } });
  const webhook = { id: HOSTILE_ID, timestamp: new Date(), event: { type: "unknown", originalType: "x", payload: {} } };
  await bullmqHandOff(queue as Queue).enqueue(webhook as never, {});
  const worker = createColivaraWorker("worker-text", {
    connection: { url: redis.url },
    attempts: 1,
    on: {
      unknown: () => {
        throw new Error("handler down");
      },
    },
  });
  try {
    const span = await until("the worker's span", () =>
      exporter.getFinishedSpans().find((s) => s.name === "colivara.webhook unknown"),
    );
    expect(span.attributes["messaging.message.id"]).toBe(
      "msg_1\\x0a[colivara-webhooks-bullmq] forged\\x1b[2J\\x9b\\u2028",
    );
    await until("onError printed", () => printed.length > 0);
    expect(printed.join("\n")).not.toMatch(RAW_CONTROL);
    expect(printed[0]).toContain("(delivery msg_1\\x0a[colivara-webhooks-bullmq] forged\\x1b[2J\\x9b\\u2028)");
  } finally {
    await worker.close();
    await queue.close();
  }
}, 60_000);
