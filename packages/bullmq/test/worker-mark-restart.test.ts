// The worker's handled mark through a restart of its dedupe Redis: the Redis holding the
// claims is killed (SIGKILL) during a 1.5 s handler and started again with its append-only
// file; the mark is retried until it lands, so a later run of the same job (a stalled job
// BullMQ runs again) finds the delivery done. The queue lives on another redis-server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhookHandler } from "@colivara/webhooks";
import { bullmqHandOff, createColivaraWorker } from "@colivara/webhooks-bullmq";
import { redisStore } from "@colivara/webhooks-redis";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startPersistentRedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { until } from "./support/processes.js";

const HANDLER_MS = 1500;
const PREFIX = "colivara:jobs:";
const secret = newSecret();
const dir = mkdtempSync(join(tmpdir(), "colivara-worker-mark-"));
let queueRedis: RedisServer;
let dedupeRedis: RedisServer;

beforeAll(async () => {
  queueRedis = await startRedisServer();
  dedupeRedis = await startPersistentRedisServer(dir);
});
afterAll(async () => {
  await queueRedis?.stop();
  await dedupeRedis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the dedupe Redis killed and restarted during the handler: the mark lands, nothing is reported", async () => {
  const queue = new Queue("worker-mark", { connection: { url: queueRedis.url } });
  const endpoint = createWebhookHandler(undefined, { secret, handOff: bullmqHandOff(queue) });
  // No offline queue: a command sent while Redis is down fails at once, as with node-redis disableOfflineQueue.
  const claims = new Redis(dedupeRedis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  claims.on("error", () => {});
  const reported: unknown[] = [];
  const runs: string[] = [];
  let midHandler: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    midHandler = resolve;
  });
  const worker: Worker = createColivaraWorker("worker-mark", {
    connection: { url: queueRedis.url, maxRetriesPerRequest: null },
    dedupe: redisStore(claims, { prefix: PREFIX }),
    onError: (error) => reported.push(error),
    on: {
      "upsert.success": async (_event, webhook) => {
        runs.push(webhook.id);
        midHandler();
        await sleep(HANDLER_MS);
      },
    },
  });
  const delivery = sign(secret, successPayload());
  try {
    const request = new Request("http://127.0.0.1/hooks", {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
    });
    expect((await endpoint(request)).status).toBe(202);
    await reached;
    const { port } = dedupeRedis;
    await dedupeRedis.kill();
    await sleep(HANDLER_MS + 500);
    dedupeRedis = await startPersistentRedisServer(dir, port);
    await until("the job completed", async () => (await queue.getCompletedCount()) === 1 || undefined);
    const admin = new Redis(dedupeRedis.url);
    try {
      expect(await admin.get(PREFIX + delivery.id)).toBe("d");
    } finally {
      admin.disconnect();
    }
    expect(runs).toEqual([delivery.id]);
    expect(reported).toEqual([]);
  } finally {
    await worker.close();
    await queue.close();
    claims.disconnect();
  }
}, 60_000);
