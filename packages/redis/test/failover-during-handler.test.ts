// A Redis Cluster primary killed (SIGKILL) while a handler runs on a delivery whose key it
// serves, 100 ms before the handler ends: the claim reached the replica, the handled mark
// meets a dead primary. The mark is
// retried until the promoted replica takes it, so the copy a sender sends after the claim's
// lease is a duplicate, not a second run; with waitForReplicas, once the dead node is back
// as the promoted primary's replica. Real 6-node cluster; the client set up as the README
// says (bounded retries).
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhookHandler } from "@colivara/webhooks";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { newSecret, requestOf, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../test/support/redis-cluster.js";
import { DEFAULT_PREFIX, type RedisStoreOptions, redisStore } from "../src/index.js";
import { clusterClient } from "./failover-scenario.js";

const HANDLER_MS = 1500;
const LEASE_SECONDS = 3;

let cluster: RedisCluster | undefined;

beforeEach(async () => {
  // A fresh cluster per case: each kills a primary.
  await cluster?.stop();
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

/** Polls until `check` holds (at most 30 s). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await sleep(50);
  }
}

describe.each<[string, RedisStoreOptions]>([
  ["as it is", {}],
  ["with waitForReplicas: 1", { waitForReplicas: 1, waitTimeoutMs: 200 }],
])("the key's primary killed during a handler (%s)", (mode, options) => {
  it("the handled mark lands on the promoted replica and the copy after the lease is a duplicate", async () => {
    const redis = cluster as RedisCluster;
    const client = clusterClient(redis);
    const secret = newSecret();
    const runs: string[] = [];
    const reported: string[] = [];
    let midHandler: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      midHandler = resolve;
    });
    const endpoint = createWebhookHandler(
      async (webhook) => {
        runs.push(webhook.id);
        midHandler();
        await sleep(HANDLER_MS);
      },
      {
        secret,
        dedupe: redisStore(client, { ...options, leaseSeconds: LEASE_SECONDS }),
        onError: (error) => reported.push(String((error as Error).message)),
      },
    );
    const delivery = sign(secret, successPayload());
    const send = () => endpoint(requestOf(delivery));
    const key = DEFAULT_PREFIX + delivery.id;
    try {
      const primary = await redis.primaryFor(key);
      const replica = await redis.replicaOf(primary);
      const first = send();
      await reached;
      const started = Date.now();
      await until("the claim reached the replica", async () =>
        (await redis.readReplica(replica, "GET", key)).startsWith("p:"),
      );
      // Killed 100 ms before the handler ends, where the doubles were found: the client still
      // routes the mark to the dead node, which a failover has not replaced yet.
      await sleep(Math.max(0, HANDLER_MS - 100 - (Date.now() - started)));
      redis.signal(primary, "SIGKILL");
      await redis.waitForPrimary(replica);
      // With waitForReplicas the promoted primary needs a replica again: the dead node, restarted.
      if (options.waitForReplicas) await redis.restart(primary, replica);
      expect((await first).status).toBe(204);
      await sleep(LEASE_SECONDS * 1000 + 200);
      let copy = await send();
      for (let attempt = 0; copy.status === 503 && attempt < 100; attempt++) {
        await sleep(100);
        copy = await send();
      }
      expect(copy.status, mode).toBe(200);
      expect(runs).toEqual([delivery.id]);
      expect(reported.filter((message) => message.includes("handled mark"))).toEqual([]);
    } finally {
      client.disconnect();
    }
  }, 90_000);
});
