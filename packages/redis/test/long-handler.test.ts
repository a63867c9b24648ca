// A handler that runs longer than the claim's lease, on a real redis-server: the pack keeps
// the lease while it runs (extend every third of it), so a copy sent after the lease would have
// run out is answered 409 in flight, not run a second time at once; after the answer, a copy
// is a duplicate. Through ioredis and node-redis.
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhookHandler } from "@colivara/webhooks";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret, requestOf, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { type RedisClient, redisStore } from "../src/index.js";

const CLIENTS: Record<string, (url: string) => Promise<{ client: RedisClient; close(): Promise<unknown> }>> = {
  async ioredis(url) {
    const client = new Redis(url);
    return { client, close: () => client.quit() };
  },
  async redis(url) {
    const client = await createClient({ url }).connect();
    return { client, close: () => client.disconnect() };
  },
};

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describe.each(Object.keys(CLIENTS))("%s", (name) => {
  it("keeps the claim through a 2.5 s handler with a 1 s lease: the copy at 1.5 s is in flight, the one after a duplicate", async () => {
    const connected = await (CLIENTS[name] as (url: string) => ReturnType<(typeof CLIENTS)["ioredis"]>)(server.url);
    const secret = newSecret();
    const runs: string[] = [];
    const endpoint = createWebhookHandler(
      async (webhook) => {
        runs.push(webhook.id);
        await sleep(2500);
      },
      { secret, dedupe: redisStore(connected.client, { leaseSeconds: 1, prefix: `long:${name}:` }) },
    );
    const delivery = sign(secret, successPayload());
    const send = () => endpoint(requestOf(delivery));
    try {
      const first = send();
      await sleep(1500);
      expect((await send()).status).toBe(409);
      expect((await first).status).toBe(204);
      expect((await send()).status).toBe(200);
      expect(runs).toEqual([delivery.id]);
    } finally {
      await connected.close();
    }
  }, 20_000);
});
