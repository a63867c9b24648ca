// What a dead letter keeps and prints: over real HTTP (Express) and a real redis-server, a
// route whose metadata schema refuses deliveries keeps them with handOff.deadLetter. The
// `refused` reason holds no metadata value whatever arktype prints (generated metadata with
// marker strings and numbers), and the summaries the jobs CLI prints escape the event type
// and the reason.
import type { AddressInfo } from "node:net";
import { permanentFailure } from "@colivara/webhooks";
import { bullmqHandOff, listDeadLetters } from "@colivara/webhooks-bullmq";
import { verifyColivara } from "@colivara/webhooks-express";
import { type } from "arktype";
import { Queue } from "bullmq";
import express from "express";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { jobsCli } from "./support/http.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const secret = newSecret();
let redis: RedisServer;
let queue: Queue;
let url: string;
let close: () => void;

beforeAll(async () => {
  redis = await startRedisServer();
  queue = new Queue("dead-letter-text", { connection: { url: redis.url } });
  const handOff = bullmqHandOff(queue);
  const app = express();
  // Literals and bounds: arktype's messages print what they received, arrays and objects included.
  const metadata = type({ plan: "'free' | 'pro'", seats: "3", "tags?": "string[] < 2" });
  app.post(
    "/refusing",
    verifyColivara({ secret, metadata, deadLetter: handOff.deadLetter, log: false, onError: () => {} }),
    (_q, res) => {
      res.sendStatus(204);
    },
  );
  app.post(
    "/aborting",
    verifyColivara({
      secret,
      deadLetter: handOff.deadLetter,
      log: false,
      onError: () => {},
      on: {
        unknown: () => {
          throw permanentFailure("refused\n[colivara-webhooks-jobs] forged\u009b2J");
        },
      },
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => {
    server.closeAllConnections();
    server.close();
  };
});
afterAll(async () => {
  close?.();
  await queue?.close();
  await redis?.stop();
});

async function post(
  path: string,
  payload: Record<string, unknown>,
  id?: string,
): Promise<{ id: string; status: number }> {
  const delivery = sign(secret, payload, id === undefined ? {} : { id });
  const response = await fetch(`${url}${path}`, { method: "POST", body: delivery.body, headers: delivery.headers });
  return { id: delivery.id, status: response.status };
}

const marker = fc.oneof(
  fc.nat({ max: 99_999 }).map((n) => `SECRET${n}x`),
  fc.nat({ max: 99_999 }).map((n) => -(1_000_000_000 + n) - 0.25),
);
const leaf = fc.oneof(marker, fc.array(marker, { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b"), marker));
const refusedMetadata = fc.record({ plan: leaf, seats: leaf, tags: fc.array(marker, { minLength: 2, maxLength: 3 }) });

function markerTexts(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (typeof value === "number") found.push(String(-value - 0.25));
  else if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) markerTexts(item, found);
  return found;
}

test("a refused delivery's dead letter names where its metadata failed, never a value", async () => {
  const sent = new Map<string, unknown>();
  await fc.assert(
    fc.asyncProperty(refusedMetadata, async (metadata) => {
      const { id, status } = await post("/refusing", successPayload({ metadata }));
      expect(status).toBe(422);
      sent.set(id, metadata);
    }),
    { numRuns: 25 },
  );
  const letters = (await listDeadLetters(queue)).filter((letter) => sent.has(letter.id));
  expect(letters).toHaveLength(sent.size);
  for (const letter of letters) {
    expect(letter.reason).toMatch(/metadata\.plan: .*metadata\.seats: /);
    const job = await queue.getJob(letter.id);
    for (const text of markerTexts(sent.get(letter.id))) {
      expect(letter.reason).not.toContain(text);
      expect(job?.data.refused).not.toContain(text);
    }
  }
});

test("the summaries escape the event type and the reason", async () => {
  const { id, status } = await post("/aborting", { type: "upsert.next\n[colivara-webhooks-jobs] forged\u2028" });
  expect(status).toBe(422);
  const letter = (await listDeadLetters(queue)).find((found) => found.id === id);
  expect(letter?.type).toBe("unknown");
  expect(letter?.reason).toBe("refused\\x0a[colivara-webhooks-jobs] forged\\x9b2J");
  expect(`${letter?.type} ${letter?.reason}`).not.toMatch(RAW_CONTROL);
});

test("the jobs CLI lists an id the sender chose escaped", async () => {
  // A header carries bytes 0x80–0xFF, which Node reads as C1 controls: U+009B is a terminal's CSI.
  const { id, status } = await post("/aborting", { type: "upsert.next" }, "msg_\u009b2J\u0085forged");
  expect(status).toBe(422);
  const listed = await jobsCli(["list", "--redis-url", redis.url, "--queue", "dead-letter-text"]);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain("msg_\\x9b2J\\x85forged  refused  unknown");
  expect(listed.stdout.replaceAll("\n", "")).not.toMatch(RAW_CONTROL);
  expect(id).toBe("msg_\u009b2J\u0085forged");
});
