// Redis crashes (SIGKILL) and comes back while a handler runs: the handled mark is retried
// until the restarted server takes it, and the copy a sender sends after the claim's lease
// is a duplicate, not a second run. The server persists every write (append-only file,
// fsync always), as a production Redis does; each client is set up as the README says
// (bounded retries, so an outage answers 503 quickly).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhookHandler } from "@colivara/webhooks";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newSecret, requestOf, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startPersistentRedisServer } from "../../../test/support/redis-server.js";
import { type RedisClient, redisStore } from "../src/index.js";

interface Connected {
  client: RedisClient;
  close(): Promise<unknown>;
}

const CLIENTS: Record<string, (url: string) => Promise<Connected>> = {
  async ioredis(url) {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    return { client, close: async () => client.disconnect() };
  },
  async redis(url) {
    const client = createClient({ url, disableOfflineQueue: true });
    client.on("error", () => {});
    await client.connect();
    return { client, close: () => client.disconnect() };
  },
};

const HANDLER_MS = 1500;
const LEASE_SECONDS = 3;

let dir: string | undefined;
let server: RedisServer | undefined;

afterEach(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.keys(CLIENTS))("%s: Redis killed and restarted during a handler", (name) => {
  it("the handled mark lands once Redis is back, the answer waits for it, and a copy after the lease is a duplicate", async () => {
    dir = mkdtempSync(join(tmpdir(), "colivara-restart-"));
    server = await startPersistentRedisServer(dir);
    const { port } = server;
    const connected = await (CLIENTS[name] as (url: string) => Promise<Connected>)(server.url);
    const secret = newSecret();
    const runs: string[] = [];
    const onError = vi.fn();
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
      { secret, dedupe: redisStore(connected.client, { leaseSeconds: LEASE_SECONDS }), onError },
    );
    const delivery = sign(secret, successPayload());
    const send = () => endpoint(requestOf(delivery));
    try {
      const first = send();
      await reached;
      await server.kill();
      // Down past the handler's end: its handled mark meets a dead server first.
      await sleep(HANDLER_MS + 500);
      server = await startPersistentRedisServer(dir, port);
      expect((await first).status).toBe(204);
      // The claim's lease has run out: only the handled mark stands between the copy and a second run.
      await sleep(LEASE_SECONDS * 1000 + 200);
      let copy = await send();
      // A client still reconnecting answers 503; the sender retries, as Svix does.
      for (let attempt = 0; copy.status === 503 && attempt < 50; attempt++) {
        await sleep(100);
        copy = await send();
      }
      expect(copy.status).toBe(200);
      expect(runs).toEqual([delivery.id]);
      expect(onError).not.toHaveBeenCalled();
    } finally {
      await connected.close();
    }
  }, 30_000);
});
