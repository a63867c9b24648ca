// redisStore on a real Redis Cluster (three primaries, one replica each) through ioredis's
// Cluster and node-redis's createCluster (v6, v5, v4), with and without waitForReplicas:
// keys spread over every primary, each operation lands on the key's primary.
import { randomUUID } from "node:crypto";
import type { DedupeStore } from "@colivara/webhooks";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { createCluster as createCluster4 } from "redis4";
import { createCluster as createCluster5 } from "redis5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, startRedisCluster } from "../../../test/support/redis-cluster.js";
import { type RedisClient, type RedisStoreOptions, redisStore } from "../src/index.js";

interface Connected {
  client: RedisClient;
  close(): Promise<unknown>;
}

const CLIENTS: Record<string, (cluster: RedisCluster) => Promise<Connected>> = {
  async "ioredis Cluster"(cluster) {
    const client = new Cluster(cluster.nodes);
    return { client, close: () => client.quit() };
  },
  async "node-redis 6 createCluster"(cluster) {
    const client = await createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) })
      .on("error", () => {})
      .connect();
    return { client: client as unknown as RedisClient, close: () => client.close() };
  },
  async "node-redis 5 createCluster"(cluster) {
    const client = await createCluster5({ rootNodes: cluster.urls.map((url) => ({ url })) })
      .on("error", () => {})
      .connect();
    return { client: client as unknown as RedisClient, close: () => client.close() };
  },
  async "node-redis 4 createCluster"(cluster) {
    const client = createCluster4({ rootNodes: cluster.urls.map((url) => ({ url })) }).on("error", () => {});
    await client.connect();
    return { client: client as unknown as RedisClient, close: () => client.disconnect() };
  },
};

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

/** Claims, completes and releases 30 ids; returns the ids it completed. */
async function exercise(store: DedupeStore): Promise<string[]> {
  const ids = Array.from({ length: 30 }, () => `msg_${randomUUID()}`);
  const first = await Promise.all(ids.map((id) => store.claim(id)));
  expect(first.map((claim) => claim.status)).toEqual(ids.map(() => "claimed"));
  expect((await store.claim(ids[0] as string)).status).toBe("in_flight");
  await Promise.all(ids.map((id, index) => store.complete(id, first[index]?.token as string)));
  const again = await Promise.all(ids.map((id) => store.claim(id)));
  expect(again.map((claim) => claim.status)).toEqual(ids.map(() => "done"));
  const failed = `msg_${randomUUID()}`;
  const claim = await store.claim(failed);
  await store.release(failed, claim.token as string);
  expect((await store.claim(failed)).status).toBe("claimed");
  return ids;
}

/** Polls a replica for `key`'s handled mark: replication is asynchronous without waitForReplicas. */
async function markOnReplica(replica: number, key: string): Promise<string> {
  let value = "";
  for (let attempt = 0; attempt < 100 && value !== "d\n"; attempt++) {
    value = await cluster.readReplica(replica, "GET", key);
    if (value !== "d\n") await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return value;
}

describe.each(Object.keys(CLIENTS))("%s", (name) => {
  const connect = CLIENTS[name] as (cluster: RedisCluster) => Promise<Connected>;
  it.each<[string, RedisStoreOptions]>([
    ["as it is", {}],
    ["with waitForReplicas: 1", { waitForReplicas: 1, waitTimeoutMs: 2000 }],
  ])("claims, completes and releases ids on every primary, %s", async (_mode, options) => {
    const connected = await connect(cluster);
    try {
      const prefix = `t:${randomUUID()}:`;
      const ids = await exercise(redisStore(connected.client, { ...options, prefix }));
      // The store's own keys: each handled mark is on the primary that serves its slot (so
      // the store wrote where the cluster routes it), the keys spread over all three
      // primaries, and each mark reached that primary's replica.
      const primaries = new Set<number>();
      for (const id of ids) {
        const key = prefix + id;
        const primary = await cluster.primaryFor(key);
        primaries.add(primary);
        expect(await cluster.command(primary, "GET", key)).toBe("d\n");
        expect(await markOnReplica(await cluster.replicaOf(primary), key)).toBe("d\n");
      }
      expect(primaries.size).toBe(3);
    } finally {
      await connected.close();
    }
  });
});

describe.each(Object.keys(CLIENTS))("%s, waitForReplicas with the key's replica frozen", (name) => {
  const connect = CLIENTS[name] as (cluster: RedisCluster) => Promise<Connected>;
  it("gives the claim back and throws, so the adapter answers 503; once the replica is back, the claim holds", async () => {
    const connected = await connect(cluster);
    const prefix = `f:${randomUUID()}:`;
    const store = redisStore(connected.client, { prefix, waitForReplicas: 1, waitTimeoutMs: 200 });
    const id = `msg_${randomUUID()}`;
    const primary = await cluster.primaryFor(prefix + id);
    const replica = await cluster.replicaOf(primary);
    // Only this key's replica is frozen: a WAIT sent to any other node would be acknowledged.
    cluster.signal(replica, "SIGSTOP");
    try {
      await expect(store.claim(id)).rejects.toThrow(/not acknowledged by 1 Redis replica/);
      expect(await cluster.command(primary, "EXISTS", prefix + id)).toBe("0\n");
    } finally {
      cluster.signal(replica, "SIGCONT");
    }
    try {
      const claim = await store.claim(id);
      expect(claim.status).toBe("claimed");
      await store.complete(id, claim.token as string);
      expect(await cluster.readReplica(replica, "GET", prefix + id)).toBe("d\n");
    } finally {
      await connected.close();
    }
  });
});
