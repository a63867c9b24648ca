// BullMQ starts a queue's connection once. Redis going away between the connection and
// BullMQ's version check leaves the queue failing every command for good, even with Redis
// back: the hand-off's 503 must then say that retries will not help and what to do. A queue
// that started answers 503 for an outage as usual, without that advice.
import { once } from "node:events";
import { createWebhookHandler, permanentFailure, type WebhookVerificationError } from "@colivara/webhooks";
import { bullmqHandOff } from "@colivara/webhooks-bullmq";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { type CuttingProxy, cuttingProxy } from "./support/cutting-proxy.js";

const secret = newSecret();
const failFast = { enableOfflineQueue: false, maxRetriesPerRequest: 1 };
let redis: RedisServer;
const proxies: CuttingProxy[] = [];
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close().catch(() => {})));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await redis?.stop();
});

async function proxyToRedis(cutAtInfo?: number): Promise<CuttingProxy> {
  const proxy = await cuttingProxy(Number(new URL(redis.url).port), cutAtInfo);
  proxies.push(proxy);
  return proxy;
}

function newQueue(name: string, proxy: CuttingProxy): Queue {
  const queue = new Queue(name, { connection: { url: proxy.url, ...failFast } });
  queue.on("error", () => {});
  queues.push(queue);
  return queue;
}

/** Through a hand-off route, or an inline route that refuses the delivery for good and keeps it as a dead letter. */
async function deliverTo(
  queue: Queue,
  route: "hand-off" | "dead-letter" = "hand-off",
): Promise<{ status: number; errors: WebhookVerificationError[] }> {
  const errors: WebhookVerificationError[] = [];
  const handOff = bullmqHandOff(queue, { timeoutMs: 3000 });
  const onError = (error: unknown) => {
    errors.push(error as WebhookVerificationError);
  };
  const refuse = () => {
    throw permanentFailure("refused for good");
  };
  const handler =
    route === "hand-off"
      ? createWebhookHandler(undefined, { secret, handOff, log: false, onError })
      : createWebhookHandler(undefined, {
          secret,
          dedupe: false,
          deadLetter: handOff.deadLetter,
          log: false,
          onError,
          on: { "upsert.success": refuse },
        });
  const delivery = sign(secret, successPayload());
  const request = new Request("http://127.0.0.1/hook", {
    method: "POST",
    body: delivery.body,
    headers: delivery.headers,
  });
  const response = await handler(request);
  return { status: response.status, errors };
}

test("a queue whose start failed: 503 that names the restart, though Redis answers again", async () => {
  // ioredis's ready check is the first INFO, BullMQ's version check the second: Redis goes
  // away between them, and stays away until the version check has failed.
  const proxy = await proxyToRedis(2);
  const queue = newQueue("failed-start", proxy);
  await proxy.wentDown;
  await expect(queue.waitUntilReady()).rejects.toThrow();
  const reconnected = once(queue.getBackend(), "ready");
  await proxy.comeBack();

  // Redis answers again at the same address, the queue's own connection is ready again…
  const probe = new Redis(proxy.url);
  try {
    expect(await probe.ping()).toBe("PONG");
  } finally {
    probe.disconnect();
  }
  await reconnected;
  // …and the queue still refuses every delivery.
  for (let attempt = 0; attempt < 2; attempt++) {
    const { status, errors } = await deliverTo(queue);
    expect(status).toBe(503);
    expect(errors.map((error) => error.code)).toEqual(["handoff_unavailable"]);
    expect(errors[0]?.message).toMatch(/failed while it started.*until the process restarts/);
    expect(errors[0]?.message).toContain("await queue.waitUntilReady()");
  }
  // The dead letter of an inline route that refused a delivery goes to the same queue.
  const refused = await deliverTo(queue, "dead-letter");
  expect(refused.status).toBeGreaterThanOrEqual(500);
  expect(refused.errors.map((error) => error.code)).toContain("handoff_unavailable");
  const kept = refused.errors.find((error) => error.code === "handoff_unavailable");
  expect(kept?.message).toMatch(/failed while it started.*until the process restarts/);
});

test("a queue that started, then lost Redis: 503 without the restart advice, 202 once Redis is back", async () => {
  const proxy = await proxyToRedis();
  const queue = newQueue("started", proxy);
  await queue.waitUntilReady();
  await proxy.goDown();
  const { status, errors } = await deliverTo(queue);
  expect(status).toBe(503);
  expect(errors.map((error) => error.code)).toEqual(["handoff_unavailable"]);
  expect(errors[0]?.message).not.toMatch(/started/);
  await proxy.comeBack();
  let answer = await deliverTo(queue);
  // ioredis reconnects on its own schedule (BullMQ's retry strategy: a second or more).
  for (let tries = 0; answer.status === 503 && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await deliverTo(queue);
  }
  expect(answer.status).toBe(202);
});
