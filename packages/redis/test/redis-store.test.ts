// redisStore against a real redis-server, through every client it supports: ioredis 6 and
// 5, node-redis 6, 5 and 4, and a bare sendCommand wrapper. An independent ioredis
// connection inspects the keys.
import { randomUUID } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { type DedupeStore, WebhookVerificationError } from "@colivara/webhooks";
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import { createClient as createClient5 } from "redis5";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { DEFAULT_PREFIX, type RedisClient, type RedisStoreOptions, redisStore } from "../src/index.js";

interface Connected {
  client: RedisClient;
  close(): Promise<unknown>;
}

const CLIENTS: Record<string, (url: string) => Promise<Connected>> = {
  async ioredis(url) {
    const client = new Redis(url);
    return { client, close: () => client.quit() };
  },
  async ioredis5(url) {
    const client = new Redis5(url);
    return { client, close: () => client.quit() };
  },
  async redis(url) {
    const client = await createClient({ url }).connect();
    return { client, close: () => client.disconnect() };
  },
  async redis5(url) {
    const client = await createClient5({ url }).connect();
    return { client, close: () => client.disconnect() };
  },
  async redis4(url) {
    const client = createClient4({ url });
    await client.connect();
    return { client, close: () => client.disconnect() };
  },
  /** A client known only by a standalone sendCommand(args), e.g. a thin wrapper. */
  async sendCommand(url) {
    const inner = await createClient({ url }).connect();
    const client = { sendCommand: (args: string[]) => inner.sendCommand(args) } as unknown as RedisClient;
    return { client, close: () => inner.disconnect() };
  },
};

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin?.quit();
  await server?.stop();
});

describe("configuration fails at creation with invalid_config", () => {
  const fakeIORedis = { call: async () => 0, eval: async () => 0 } as unknown as RedisClient;

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a URL string", "redis://127.0.0.1:6379"],
    ["a number", 6379],
    ["an object without eval", { get: () => undefined }],
  ])("rejects %s as the client", (_name, client) => {
    const create = () => redisStore(client as unknown as RedisClient);
    expect(create).toThrow(WebhookVerificationError);
    expect(create).toThrow(expect.objectContaining({ code: "invalid_config", status: 500 }));
    expect(create).toThrow(/ioredis|node-redis/);
  });

  it.each<[string, RedisStoreOptions, RegExp]>([
    ["ttlSeconds 0", { ttlSeconds: 0 }, /ttlSeconds/],
    ["ttlSeconds -1", { ttlSeconds: -1 }, /ttlSeconds/],
    ["ttlSeconds NaN", { ttlSeconds: Number.NaN }, /ttlSeconds/],
    ["ttlSeconds Infinity", { ttlSeconds: Number.POSITIVE_INFINITY }, /ttlSeconds/],
    ["ttlSeconds as a string", { ttlSeconds: "3600" as unknown as number }, /ttlSeconds/],
    ["ttlSeconds too large for Redis", { ttlSeconds: 1e300 }, /ttlSeconds/],
    ["leaseSeconds 0", { leaseSeconds: 0 }, /leaseSeconds/],
    ["leaseSeconds -5", { leaseSeconds: -5 }, /leaseSeconds/],
    ["leaseSeconds null", { leaseSeconds: null as unknown as number }, /leaseSeconds/],
    ["a prefix that is not a string", { prefix: 42 as unknown as string }, /prefix/],
    ["waitForReplicas 0", { waitForReplicas: 0 }, /waitForReplicas/],
    ["waitForReplicas 1.5", { waitForReplicas: 1.5 }, /waitForReplicas/],
    ["waitForReplicas as a string", { waitForReplicas: "1" as unknown as number }, /waitForReplicas/],
    ["waitTimeoutMs 0", { waitForReplicas: 1, waitTimeoutMs: 0 }, /waitTimeoutMs/],
    ["waitTimeoutMs without waitForReplicas", { waitTimeoutMs: 100 }, /waitTimeoutMs/],
  ])("rejects %s", (_name, options, message) => {
    const create = () => redisStore(fakeIORedis, options);
    expect(create).toThrow(expect.objectContaining({ code: "invalid_config" }));
    expect(create).toThrow(message);
  });

  it("rejects options that are not an object", () => {
    expect(() => redisStore(fakeIORedis, "colivara:" as unknown as RedisStoreOptions)).toThrow(
      expect.objectContaining({ code: "invalid_config" }),
    );
  });

  it("keeps fractional seconds to the millisecond: the lease and the handled mark's expiry", async () => {
    const prefix = `fractional:${randomUUID()}:`;
    const store = redisStore(admin, { prefix, ttlSeconds: 200.5, leaseSeconds: 100.5 });
    const claim = await store.claim("msg_fraction");
    // PTTL only falls from what was set: rounding to whole seconds lands outside both ranges.
    const lease = await admin.pttl(`${prefix}msg_fraction`);
    expect(lease).toBeGreaterThan(100_000);
    expect(lease).toBeLessThanOrEqual(100_500);
    await store.complete("msg_fraction", claim.token as string);
    const kept = await admin.pttl(`${prefix}msg_fraction`);
    expect(kept).toBeGreaterThan(200_000);
    expect(kept).toBeLessThanOrEqual(200_500);
  });
});

describe.each(Object.keys(CLIENTS))("redisStore with %s", (kind) => {
  let connected: Connected;
  let prefix: string;
  let store: DedupeStore;

  beforeAll(async () => {
    connected = await (CLIENTS[kind] as (url: string) => Promise<Connected>)(server.url);
    prefix = `test:${kind}:${randomUUID()}:`;
    store = redisStore(connected.client, { prefix, ttlSeconds: 3600, leaseSeconds: 30 });
  });
  afterAll(async () => {
    await connected?.close();
  });

  const id = () => `msg_${randomUUID()}`;

  it("with waitForReplicas and no replica at all, refuses the claim at once: no write, no WAIT (the adapter answers 503)", async () => {
    const waiting = redisStore(connected.client, { prefix, waitForReplicas: 1, waitTimeoutMs: 20 });
    const msg = id();
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await admin.info("commandstats"))?.[1] ?? 0);
    const before = await waits();
    await expect(waiting.claim(msg)).rejects.toThrow(/refused at once: its Redis primary has fewer than 1 replica/);
    expect(await waits()).toBe(before);
    expect(await admin.exists(prefix + msg)).toBe(0);
    // Reads are not refused: a handled id is still a duplicate.
    const claim = await store.claim(msg);
    await store.complete(msg, claim.token as string);
    expect(await waiting.claim(msg)).toEqual({ status: "done" });
  });

  it("claims a new id once; a second claim is in flight; after complete it is done", async () => {
    const msg = id();
    const first = await store.claim(msg);
    expect(first).toEqual({ status: "claimed", token: expect.any(String) });
    expect(await store.claim(msg)).toEqual({ status: "in_flight" });
    await store.complete(msg, first.token as string);
    expect(await store.claim(msg)).toEqual({ status: "done" });
    expect(await store.claim(msg)).toEqual({ status: "done" });
  });

  it("gives out exactly one claim among many concurrent ones", async () => {
    const msg = id();
    const claims = await Promise.all(Array.from({ length: 50 }, () => store.claim(msg)));
    expect(claims.filter((c) => c.status === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c.status === "in_flight")).toHaveLength(49);
  });

  it("stores an in-flight claim under the lease and a handled id under the TTL (PTTL)", async () => {
    const msg = id();
    const { token } = await store.claim(msg);
    expect(await admin.get(`${prefix}${msg}`)).toBe(`p:${token}`);
    const leasePttl = await admin.pttl(`${prefix}${msg}`);
    expect(leasePttl).toBeGreaterThan(0);
    expect(leasePttl).toBeLessThanOrEqual(30_000);

    await store.complete(msg, token as string);
    expect(await admin.get(`${prefix}${msg}`)).toBe("d");
    const donePttl = await admin.pttl(`${prefix}${msg}`);
    expect(donePttl).toBeGreaterThan(30_000);
    expect(donePttl).toBeLessThanOrEqual(3_600_000);
  });

  it("remembers handled ids for 28 hours by default", async () => {
    const defaults = redisStore(connected.client, { prefix });
    const msg = id();
    const { token } = await defaults.claim(msg);
    const leasePttl = await admin.pttl(`${prefix}${msg}`);
    expect(leasePttl).toBeGreaterThan(0);
    expect(leasePttl).toBeLessThanOrEqual(60_000);
    await defaults.complete(msg, token as string);
    const pttl = await admin.pttl(`${prefix}${msg}`);
    expect(pttl).toBeGreaterThan(27 * 3600 * 1000);
    expect(pttl).toBeLessThanOrEqual(28 * 3600 * 1000);
  });

  it("release gives the id back so the retry is claimed with a new token", async () => {
    const msg = id();
    const first = await store.claim(msg);
    await store.release(msg, first.token as string);
    expect(await admin.exists(`${prefix}${msg}`)).toBe(0);
    const second = await store.claim(msg);
    expect(second.status).toBe("claimed");
    expect(second.token).not.toBe(first.token);
  });

  it("never lets a wrong token release or complete another attempt's claim", async () => {
    const msg = id();
    const { token } = await store.claim(msg);
    await store.release(msg, "not-the-token");
    expect(await store.claim(msg)).toEqual({ status: "in_flight" });
    await store.complete(msg, "not-the-token");
    expect(await store.claim(msg)).toEqual({ status: "in_flight" });
    expect(await admin.get(`${prefix}${msg}`)).toBe(`p:${token}`);
  });

  it("never forgets a handled id through a late release", async () => {
    const msg = id();
    const { token } = await store.claim(msg);
    await store.complete(msg, token as string);
    await store.release(msg, token as string);
    expect(await store.claim(msg)).toEqual({ status: "done" });
  });

  it("lets a claim expire after its lease; the stale owner can then neither release nor complete it", async () => {
    const short = redisStore(connected.client, { prefix, leaseSeconds: 1 });
    const msg = id();
    const stale = await short.claim(msg);
    expect(stale.status).toBe("claimed");
    expect(await short.claim(msg)).toEqual({ status: "in_flight" });
    // Poll for the eventual state: the dead attempt's lease is gone.
    const fresh = await vi.waitFor(
      async () => {
        const claim = await short.claim(msg);
        expect(claim.status).toBe("claimed");
        return claim;
      },
      { timeout: 10_000, interval: 100 },
    );
    await short.release(msg, stale.token as string);
    expect(await short.claim(msg)).toEqual({ status: "in_flight" });
    await short.complete(msg, stale.token as string);
    expect(await admin.get(`${prefix}${msg}`)).toBe(`p:${fresh.token}`);
    await short.complete(msg, fresh.token as string);
    expect(await short.claim(msg)).toEqual({ status: "done" });
  });

  it("still records a handler that finished after its lease ran out, if nobody claimed the id since", async () => {
    const short = redisStore(connected.client, { prefix, leaseSeconds: 1 });
    const msg = id();
    const { token } = await short.claim(msg);
    await vi.waitFor(async () => expect(await admin.exists(`${prefix}${msg}`)).toBe(0), {
      timeout: 10_000,
      interval: 100,
    });
    await short.complete(msg, token as string);
    expect(await short.claim(msg)).toEqual({ status: "done" });
  });

  it("extends a claim's lease only for the token that holds it (PTTL back at the full lease)", async () => {
    const long = redisStore(connected.client, { prefix, leaseSeconds: 100 });
    const msg = id();
    const { token } = await long.claim(msg);
    await admin.pexpire(`${prefix}${msg}`, 5000);
    await long.extend?.(msg, "not the owner");
    expect(await admin.pttl(`${prefix}${msg}`)).toBeLessThanOrEqual(5000);
    await long.extend?.(msg, token as string);
    expect(await admin.pttl(`${prefix}${msg}`)).toBeGreaterThan(90_000);
    expect(await admin.get(`${prefix}${msg}`)).toBe(`p:${token}`);
    await long.complete(msg, token as string);
    await long.extend?.(msg, token as string);
    expect(await admin.get(`${prefix}${msg}`)).toBe("d");
    expect(await admin.pttl(`${prefix}${msg}`)).toBeGreaterThan(100_000);
  });

  it("namespaces keys by prefix: the same id in two prefixes is two deliveries", async () => {
    const msg = id();
    const other = redisStore(connected.client, { prefix: `${prefix}other:` });
    expect((await store.claim(msg)).status).toBe("claimed");
    expect((await other.claim(msg)).status).toBe("claimed");
    expect(await admin.exists(`${prefix}${msg}`, `${prefix}other:${msg}`)).toBe(2);
    expect(await admin.exists(msg)).toBe(0);
  });

  it(`uses "${DEFAULT_PREFIX}" when no prefix is given`, async () => {
    const msg = id();
    const defaults = redisStore(connected.client);
    const { token } = await defaults.claim(msg);
    expect(await admin.get(`colivara:webhooks:${msg}`)).toBe(`p:${token}`);
    await defaults.release(msg, token as string);
  });

  it("shares one format with every other client: claims made here are seen there", async () => {
    const msg = id();
    const viaAdmin = redisStore(admin, { prefix });
    const { token } = await store.claim(msg);
    expect(await viaAdmin.claim(msg)).toEqual({ status: "in_flight" });
    await store.complete(msg, token as string);
    expect(await viaAdmin.claim(msg)).toEqual({ status: "done" });
  });
});

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => probe.once("listening", () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A client's own connection failure, not a bug in the store (a TypeError would be one). */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof TypeError) return false;
  return /closed|connect|writeable|offline|ECONNREFUSED|ECONNRESET|socket/i.test(error.message);
}

/** ioredis pointed at a dead port, failing commands at once instead of queueing them. */
async function unreachableIORedis(): Promise<Redis> {
  const client = new Redis(await deadPort(), "127.0.0.1", {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  return client;
}

describe("an unreachable Redis", () => {
  it("rejects claims (the adapter answers 503 dedupe_unavailable) instead of hanging: ioredis", async () => {
    const client = await unreachableIORedis();
    const store = redisStore(client);
    await expect(store.claim("msg_offline")).rejects.toSatisfy(isConnectionError);
    client.disconnect();
  });

  it("rejects claims once the Redis it was connected to is gone: ioredis and node-redis", async () => {
    const gone = await startRedisServer();
    const ioredis = new Redis(gone.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    ioredis.on("error", () => {});
    await ioredis.connect();
    const nodeRedis = await createClient({ url: gone.url, disableOfflineQueue: true })
      .on("error", () => {})
      .connect();
    try {
      // Both work first: the failure below is the server's going, not a client never set up.
      expect((await redisStore(ioredis).claim("msg_before")).status).toBe("claimed");
      expect((await redisStore(nodeRedis).claim("msg_before_2")).status).toBe("claimed");
      await gone.stop();
      await expect(redisStore(ioredis).claim("msg_offline")).rejects.toSatisfy(isConnectionError);
      await expect(redisStore(nodeRedis).claim("msg_offline")).rejects.toSatisfy(isConnectionError);
    } finally {
      ioredis.disconnect();
      await nodeRedis.disconnect().catch(() => {});
    }
  });

  it("makes the adapter answer 503 dedupe_unavailable so the sender retries, without running the handler", async () => {
    const secret = newSecret();
    const client = await unreachableIORedis();
    let ran = 0;
    const app = express();
    const onError = vi.fn();
    app.post("/hook", verifyColivara({ secret, dedupe: redisStore(client), onError }), (_req, res) => {
      ran++;
      res.sendStatus(204);
    });
    const http = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => http.once("listening", () => resolve()));
    try {
      const delivery = sign(secret, successPayload());
      const response = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, {
        method: "POST",
        body: delivery.body,
        headers: delivery.headers,
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "dedupe_unavailable" } });
      expect(ran).toBe(0);
      expect(onError).toHaveBeenCalledOnce();
    } finally {
      http.closeAllConnections();
      http.close();
      client.disconnect();
    }
  });
});
