// The worker's `metadata` schema at run time: a real redis-server, a hand-off receiver and a
// worker with a zod schema (fixtures/metadata-worker.mjs) in their own processes. The
// receiver has no schema: the job keeps the metadata as sent, and the worker checks it.
import { listDeadLetters, showDeadLetter } from "@colivara/webhooks-bullmq";
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, test } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { post } from "./support/http.js";
import { type Child, startMetadataWorker, startReceiver, until, workspace } from "./support/processes.js";

/** What fixtures/metadata-worker.mjs records. */
type Line =
  | { kind: "handled"; id: string; pid: number; type: string; metadata: unknown }
  | {
      kind: "error";
      id: string | undefined;
      pid: number;
      error: { name?: string; message?: string; code?: string; issues?: { path: unknown[]; message: string }[] };
    };

const QUEUE = "metadata";
const secret = newSecret();
const space = workspace();
let redis: RedisServer;
let queue: Queue;
let receiver: Child;
let worker: Child;

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, QUEUE, COLIVARA_WEBHOOK_SECRET: secret, ...space.env };
  queue = new Queue(QUEUE, { connection: { url: redis.url } });
  receiver = await startReceiver(env);
  worker = await startMetadataWorker(env);
});
afterAll(async () => {
  await Promise.all([receiver, worker].map((child) => child?.stop("SIGKILL")));
  await queue?.close();
  await redis?.stop();
  space.remove();
});

const linesOf = (id: string) => space.lines<Line>().filter((line) => line.id === id);
const stateOf = async (id: string) => (await queue.getJob(id))?.getState();

test("metadata that does not fit: fails once without retries, onError gets the issues (never the values), a dead letter", async () => {
  const sent = { tenant: 4242424, tags: "a,b", region: "secret-region-xyz", owner: "alice@example.com" };
  const delivery = sign(secret, failPayload({ metadata: sent }));
  expect((await post(`${receiver.ready}/hand-off`, delivery)).status).toBe(202);

  await until("the job failed", async () => (await stateOf(delivery.id)) === "failed");
  // The fixture allows 3 attempts: a mismatch uses one.
  expect((await queue.getJob(delivery.id))?.attemptsMade).toBe(1);
  await until("onError heard of it", () => linesOf(delivery.id).some((line) => line.kind === "error"));
  const lines = linesOf(delivery.id);
  // No handler ran, and onError heard of it once.
  expect(lines.map((line) => line.kind)).toEqual(["error"]);
  const [reported] = lines;
  expect(reported).toMatchObject({ kind: "error", pid: worker.pid, error: { code: "invalid_metadata" } });
  const issues = reported?.kind === "error" ? reported.error.issues : undefined;
  expect(issues).toEqual([
    { path: ["tenant"], message: expect.any(String) },
    { path: ["region"], message: expect.any(String) },
  ]);
  expect(reported?.kind === "error" ? reported.error.message : undefined).toMatch(
    /metadata\.tenant: .*metadata\.region: /,
  );

  const letter = (await listDeadLetters(queue)).find((dead) => dead.id === delivery.id);
  expect(letter).toMatchObject({ kind: "failed", type: "upsert.fail", attemptsMade: 1 });
  expect(letter?.reason).toMatch(/^invalid_metadata: /);
  // Kept as sent, to replay once the schema or the document is fixed.
  expect((await showDeadLetter(queue, delivery.id))?.webhook.event).toMatchObject({ metadata: sent });

  // Paths and messages only: none of the values reached onError or the job's failure reason.
  const said = JSON.stringify({ reported, reason: letter?.reason });
  for (const value of ["4242424", "secret-region-xyz", "alice@example.com"]) expect(said).not.toContain(value);
}, 60_000);

test("metadata that fits: handled once, with the schema's output (transformed, unknown keys stripped)", async () => {
  const sent = { tenant: "  ACME ", tags: "red,blue", owner: "alice@example.com" };
  const delivery = sign(secret, successPayload({ metadata: sent }));
  expect((await post(`${receiver.ready}/hand-off`, delivery)).status).toBe(202);

  await until("the job completed", async () => (await stateOf(delivery.id)) === "completed");
  expect(linesOf(delivery.id)).toEqual([
    {
      kind: "handled",
      id: delivery.id,
      pid: worker.pid,
      type: "upsert.success",
      metadata: { tenant: "acme", tags: ["red", "blue"] },
    },
  ]);
  // The job itself keeps the metadata as sent.
  expect((await queue.getJob(delivery.id))?.data.event).toMatchObject({ metadata: sent });
  expect((await listDeadLetters(queue)).map((dead) => dead.id)).not.toContain(delivery.id);
}, 60_000);
