// A genuinely signed delivery whose svix-id is 1 MiB long, handed off through the Fetch
// handler in process (Node's HTTP server would refuse such a header): the job, its duplicate
// marker and the worker's dedupe key stay short, the worker sees the id as sent, and the
// dead letter is found and replayed by that id. Real redis-server, BullMQ and worker.
import { createHash, randomUUID } from "node:crypto";
import { createWebhookHandler, permanentFailure, type VerifiedWebhook } from "@colivara/webhooks";
import { upsertSuccessEvent } from "@colivara/webhooks/testing";
import {
  bullmqHandOff,
  createColivaraWorker,
  listDeadLetters,
  replayDeadLetter,
  showDeadLetter,
} from "@colivara/webhooks-bullmq";
import { redisStore } from "@colivara/webhooks-redis";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, signedFetchRequest } from "../../../test/support/independent-signer.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { until } from "./support/processes.js";

const secret = newSecret();
let redis: RedisServer;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  await admin?.quit();
  await redis?.stop();
});

const signedRequest = (id: string): Request => signedFetchRequest(secret, JSON.stringify(upsertSuccessEvent()), id);

/** Every key in Redis with its length in bytes. */
async function keyLengths(): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, batch] = await admin.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of batch) lengths.set(key, Buffer.byteLength(key));
  } while (cursor !== "0");
  return lengths;
}

/** A 1 MiB id, its dedupe key, and a fresh queue, ready. */
async function longIdAndQueue(letter: string) {
  const id = `msg_${letter.repeat(1024 * 1024)}`;
  const digest = `~sha256-${createHash("sha256").update(id).digest("hex")}`;
  const queueName = `long-ids-${randomUUID()}`;
  const queue = new Queue(queueName, { connection: { url: redis.url, maxRetriesPerRequest: 1 } });
  await queue.waitUntilReady();
  return { id, digest, queueName, queue };
}

test("a 1 MiB id: stored once as a short job, run with the real id, a dead letter found and replayed by it", async () => {
  const { id, digest, queueName, queue } = await longIdAndQueue("L");
  const endpoint = createWebhookHandler(undefined, { secret, handOff: bullmqHandOff(queue) });
  const seen: string[] = [];
  const client = new Redis(redis.url);
  const worker = createColivaraWorker(queueName, {
    connection: { url: redis.url, maxRetriesPerRequest: null },
    dedupe: redisStore(client, { prefix: "colivara:jobs:" }),
    onError: () => {},
    on: {
      "upsert.success": (_event, webhook: VerifiedWebhook) => {
        seen.push(webhook.id);
        // Refused the first time: a dead letter, replayed below.
        if (seen.length === 1) throw permanentFailure("refused once");
      },
    },
  });
  try {
    expect((await endpoint(signedRequest(id))).status).toBe(202);
    const copy = await endpoint(signedRequest(id));
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ duplicate: true });

    await until("the job failed for good", async () => (await queue.getFailedCount()) === 1 || undefined);
    const [letter, ...others] = await listDeadLetters(queue);
    expect(others).toEqual([]);
    expect(letter?.id).toBe(digest);
    expect((await showDeadLetter(queue, id))?.webhook.id === id).toBe(true);
    expect((await showDeadLetter(queue, digest))?.webhook.id === id).toBe(true);
    expect(await replayDeadLetter(queue, id)).toBe("replayed");
    await until("the replay completed", async () => (await queue.getCompletedCount()) === 1 || undefined);
    expect(seen.map((seenId) => seenId === id)).toEqual([true, true]);

    // The job, its duplicate marker and the worker's claim: no key holds the megabyte.
    const lengths = await keyLengths();
    expect(Math.max(...lengths.values())).toBeLessThan(300);
    expect(lengths.has(`bull:${queueName}:${digest}`)).toBe(true);
    expect(lengths.has(`bull:${queueName}:colivara-accepted:${digest}`)).toBe(true);
    expect(lengths.has(`colivara:jobs:${digest}`)).toBe(true);
  } finally {
    await worker.close();
    await queue.close();
    await client.quit();
  }
}, 60_000);

test("a 1 MiB id an inline route refused: parked under a short job id, listed, and replayed by the real id", async () => {
  const { id, digest, queue } = await longIdAndQueue("R");
  const refuse = () => {
    throw permanentFailure("no such tenant");
  };
  const endpoint = createWebhookHandler(undefined, {
    secret,
    on: { "upsert.success": refuse },
    deadLetter: bullmqHandOff(queue).deadLetter,
    onError: () => {},
  });
  try {
    expect((await endpoint(signedRequest(id))).status).toBe(422);
    const [letter, ...others] = await listDeadLetters(queue);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ id: digest, kind: "refused" });
    expect((await showDeadLetter(queue, id))?.webhook.id === id).toBe(true);
    expect(Math.max(...(await keyLengths()).values())).toBeLessThan(300);
    expect(await replayDeadLetter(queue, id)).toBe("replayed");
    expect(await queue.getWaitingCount()).toBe(1);
  } finally {
    await queue.close();
  }
}, 60_000);
