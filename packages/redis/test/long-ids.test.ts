// A genuinely signed delivery whose svix-id is 1 MiB long, through the Fetch handler in
// process (Node's HTTP server would refuse such a header; Bun, Deno and Workers need not).
// Redis must hold a bounded key for it, and exactly-once must hold.
import { createHash, randomUUID } from "node:crypto";
import { createWebhookHandler, type VerifiedWebhook } from "@colivara/webhooks";
import { upsertSuccessEvent } from "@colivara/webhooks/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret, signedFetchRequest } from "../../../test/support/independent-signer.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { redisStore } from "../src/index.js";

const secret = newSecret();
const MiB = 1024 * 1024;

let server: RedisServer;
let client: Redis;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
  admin = new Redis(server.url);
});

afterAll(async () => {
  await client?.quit();
  await admin?.quit();
  await server?.stop();
});

const signedRequest = (id: string): Request => signedFetchRequest(secret, JSON.stringify(upsertSuccessEvent()), id);

/** Every key under `prefix`, through SCAN. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

describe("redisStore and a signed 1 MiB svix-id", () => {
  it("handles it once, answers its copy as a duplicate, and keeps a key of at most prefix + 256 bytes", async () => {
    const prefix = `test:long:${randomUUID()}:`;
    const id = `msg_${"L".repeat(MiB)}`;
    const seen: VerifiedWebhook[] = [];
    const handle = createWebhookHandler((webhook) => void seen.push(webhook), {
      secret,
      dedupe: redisStore(client, { prefix }),
    });

    expect((await handle(signedRequest(id))).status).toBe(204);
    const copy = await handle(signedRequest(id));
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ duplicate: true });
    expect(seen.map((webhook) => webhook.id === id)).toEqual([true]);

    const keys = await keysUnder(prefix);
    expect(keys).toEqual([`${prefix}~sha256-${createHash("sha256").update(id).digest("hex")}`]);
    const key = keys[0] as string;
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(Buffer.byteLength(prefix) + 256);
    expect(await admin.strlen(key)).toBe(1); // the handled mark, "d"
    // The whole entry, key and value and Redis's own overhead, in bytes (1 MiB before the fix).
    expect(Number(await admin.call("MEMORY", "USAGE", key))).toBeLessThan(1024);
  });

  it("keeps a real Svix id readable as it is: prefix + svix-id", async () => {
    const prefix = `test:short:${randomUUID()}:`;
    const handle = createWebhookHandler(() => {}, { secret, dedupe: redisStore(client, { prefix }) });
    const id = "msg_2bVxUmNs7jE4c1QAdYWfHkPt";
    expect((await handle(signedRequest(id))).status).toBe(204);
    expect((await handle(signedRequest(id))).status).toBe(200);
    expect(await keysUnder(prefix)).toEqual([`${prefix}${id}`]);
  });
});
