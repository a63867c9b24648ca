// The hand-off and the worker on a real Redis Cluster (three primaries, one replica each)
// through ioredis's Cluster, with the queue prefix in a hash tag so every key of the queue
// (the duplicate marker included) lives in one slot.
import { createWebhookHandler, type VerifiedWebhook, WebhookVerificationError } from "@colivara/webhooks";
import { bullmqHandOff, createColivaraWorker } from "@colivara/webhooks-bullmq";
import { redisStore } from "@colivara/webhooks-redis";
import { Queue, type Worker } from "bullmq";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Delivery, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../test/support/redis-cluster.js";
import { until } from "./support/processes.js";

const PREFIX = "{colivara}";
let cluster: RedisCluster;
const clients: Cluster[] = [];

function connect(options: { maxRetriesPerRequest: number | null }): Cluster {
  const client = new Cluster(cluster.nodes, { redisOptions: options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  await cluster?.stop();
});

function post(endpoint: (request: Request) => Promise<Response>, delivery: Delivery): Promise<Response> {
  return endpoint(
    new Request("http://127.0.0.1/hooks", { method: "POST", headers: delivery.headers, body: delivery.body }),
  );
}

test("deliveries are stored once (202, then 200 for copies) and handled once by two workers", async () => {
  const secret = newSecret();
  const queue = new Queue("colivara-webhooks", { connection: connect({ maxRetriesPerRequest: 1 }), prefix: PREFIX });
  const endpoint = createWebhookHandler(undefined, { secret, handOff: bullmqHandOff(queue) });
  const handled: string[] = [];
  const workers: Worker[] = [1, 2].map(() =>
    createColivaraWorker("colivara-webhooks", {
      connection: connect({ maxRetriesPerRequest: null }),
      worker: { prefix: PREFIX },
      concurrency: 4,
      dedupe: redisStore(connect({ maxRetriesPerRequest: 1 }), { prefix: "colivara:jobs:" }),
      on: { "upsert.success": (_event, webhook: VerifiedWebhook) => void handled.push(webhook.id) },
    }),
  );
  try {
    const deliveries = Array.from({ length: 40 }, () => sign(secret, successPayload()));
    const first = await Promise.all(deliveries.map((delivery) => post(endpoint, delivery)));
    expect(first.map((response) => response.status)).toEqual(deliveries.map(() => 202));
    const copies = await Promise.all(deliveries.map((delivery) => post(endpoint, delivery)));
    expect(copies.map((response) => response.status)).toEqual(deliveries.map(() => 200));
    await until("every job is handled", () => handled.length >= deliveries.length || undefined);
    await until(
      "the queue is drained",
      async () => (await queue.getCompletedCount()) === deliveries.length || undefined,
    );
    expect([...handled].sort()).toEqual(deliveries.map((delivery) => delivery.id).sort());
    // Each delivery's job and its duplicate marker are on the primary that serves the queue
    // (the marker is what answers copies 200), and the marker expires with completed jobs.
    const primary = await cluster.primaryFor(queue.toKey("wait"));
    for (const { id } of deliveries) {
      expect(await cluster.command(primary, "EXISTS", queue.toKey(id))).toBe("1\n");
      expect(await cluster.command(primary, "EXISTS", queue.toKey(`colivara-accepted:${id}`))).toBe("1\n");
    }
    const ttl = Number(await cluster.command(primary, "TTL", queue.toKey(`colivara-accepted:${deliveries[0]?.id}`)));
    expect(ttl).toBeGreaterThan(0);
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.close();
  }
}, 60_000);

test("a queue or worker on a cluster without a hash tag in its keys fails at creation with invalid_config", async () => {
  const queue = new Queue("colivara-webhooks", { connection: connect({ maxRetriesPerRequest: 1 }) });
  try {
    const fix = expect.objectContaining({ code: "invalid_config", message: expect.stringContaining('"{colivara}"') });
    expect(() => bullmqHandOff(queue)).toThrow(WebhookVerificationError);
    expect(() => bullmqHandOff(queue)).toThrow(fix);
    const worker = () =>
      createColivaraWorker("colivara-webhooks", { connection: connect({ maxRetriesPerRequest: null }), on: {} });
    expect(worker).toThrow(fix);
    // A hash tag in the queue name does as well as one in the prefix.
    const tagged = new Queue("{colivara-webhooks}", { connection: connect({ maxRetriesPerRequest: 1 }) });
    expect(bullmqHandOff(tagged).queue).toBe(tagged);
    await tagged.close();
  } finally {
    await queue.close();
  }
});

test("waitForReplicas: while the queue's replica is frozen the hand-off answers 503; once it is back, the retry is accepted", async () => {
  const secret = newSecret();
  const queue = new Queue("colivara-waiting", { connection: connect({ maxRetriesPerRequest: 1 }), prefix: PREFIX });
  const handOff = bullmqHandOff(queue, { waitForReplicas: 1, waitTimeoutMs: 200 });
  const endpoint = createWebhookHandler(undefined, { secret, handOff, onError: () => {} });
  const delivery = sign(secret, successPayload());
  expect((await post(endpoint, delivery)).status).toBe(202);
  const primary = await cluster.primaryFor(queue.toKey("wait"));
  const replica = await cluster.replicaOf(primary);
  const late = sign(secret, successPayload());
  cluster.signal(replica, "SIGSTOP");
  try {
    const refused = await post(endpoint, late);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "handoff_unavailable" } });
  } finally {
    cluster.signal(replica, "SIGCONT");
  }
  // The retry finds the job stored (the primary kept it): a 2xx now that the replica has it.
  expect([200, 202]).toContain((await post(endpoint, late)).status);
  expect(await cluster.readReplica(replica, "EXISTS", queue.toKey(late.id))).toBe("1\n");
  expect(() => bullmqHandOff(queue, { waitForReplicas: 0 })).toThrow(
    expect.objectContaining({ code: "invalid_config" }),
  );
  await queue.close();
});
