// Processes that die at the worst moment, and permanent failures: real redis-server,
// receivers and workers in separate processes, the built jobs CLI.
import { listDeadLetters } from "@colivara/webhooks-bullmq";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { jobsCli, post } from "./support/http.js";
import { type Child, countBy, startReceiver, startWorker, until, workspace } from "./support/processes.js";

const secret = newSecret();
let redis: RedisServer;
let children: Child[] = [];
const space = workspace();
let queues: Queue[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(children.map((child) => child.stop("SIGKILL")));
  await Promise.all(queues.map((queue) => queue.close()));
  children = [];
  queues = [];
});
afterAll(async () => {
  await redis?.stop();
  space.remove();
});

function setUp(queueName: string) {
  const env = {
    REDIS_URL: redis.url,
    QUEUE: queueName,
    COLIVARA_WEBHOOK_SECRET: secret,
    CONCURRENCY: "1",
    ...space.env,
  };
  const queue = new Queue(queueName, { connection: { url: redis.url } });
  queues.push(queue);
  const spawn = async (kind: "receiver" | "worker") => {
    const child = await (kind === "receiver" ? startReceiver(env) : startWorker(env));
    children.push(child);
    return child;
  };
  return { queue, spawn };
}

const handledBy = (id: string) => space.lines().filter((line) => line.kind === "handled" && line.id === id);
const stateOf = async (queue: Queue, id: string) => (await queue.getJob(id))?.getState();

test("a worker killed with SIGKILL mid-job: another worker processes the job, once", async () => {
  const { queue, spawn } = setUp("killed-worker");
  const first = await spawn("worker");
  const receiver = await spawn("receiver");
  const delivery = sign(secret, successPayload({ metadata: { test: "block-once" } }));
  expect((await post(`${receiver.ready}/hand-off`, delivery)).status).toBe(202);
  await until("the first worker started the job", () => space.lines().some((l) => l.kind === "started"));
  await first.stop("SIGKILL");
  const second = await spawn("worker");
  await until("the job completed", async () => (await stateOf(queue, delivery.id)) === "completed");
  expect(handledBy(delivery.id).map((line) => line.pid)).toEqual([second.pid]);
}, 60_000);

test("a receiver killed right after its 202: the job is in Redis and gets processed", async () => {
  const { queue, spawn } = setUp("killed-receiver");
  const receiver = await spawn("receiver");
  const delivery = sign(secret, successPayload());
  const answer = await post(`${receiver.ready}/hand-off`, delivery);
  await receiver.stop("SIGKILL");
  expect(answer.status).toBe(202);
  expect(await stateOf(queue, delivery.id)).toBe("waiting");
  await spawn("worker");
  await until("the job completed", async () => (await stateOf(queue, delivery.id)) === "completed");
  expect(handledBy(delivery.id)).toHaveLength(1);
}, 60_000);

test("a permanent failure in the worker: failed without retries, a dead letter, replayed by the CLI", async () => {
  const { queue, spawn } = setUp("permanent");
  const receiver = await spawn("receiver");
  await spawn("worker");
  const delivery = sign(secret, successPayload({ metadata: { test: "refuse-once" } }));
  expect((await post(`${receiver.ready}/hand-off`, delivery)).status).toBe(202);
  await until("the job failed", async () => (await stateOf(queue, delivery.id)) === "failed");
  expect((await queue.getJob(delivery.id))?.attemptsMade).toBe(1);
  const [letter] = await listDeadLetters(queue);
  expect(letter).toMatchObject({ id: delivery.id, kind: "failed", type: "upsert.success" });
  expect(letter?.reason).toMatch(/^permanent_failure: refused/);

  const cli = ["--redis-url", redis.url, "--queue", "permanent"];
  const listed = await jobsCli(["list", "--json", ...cli]);
  expect(JSON.parse(listed.stdout).map((l: { id: string }) => l.id)).toEqual([delivery.id]);
  const shown = await jobsCli(["show", delivery.id, "--json", ...cli]);
  expect(JSON.parse(shown.stdout).webhook.event.metadata).toEqual({ test: "refuse-once" });
  expect((await jobsCli(["replay", delivery.id, ...cli])).code).toBe(0);
  await until("the replayed job completed", async () => (await stateOf(queue, delivery.id)) === "completed");
  expect(handledBy(delivery.id)).toHaveLength(1);
  expect(await listDeadLetters(queue)).toEqual([]);
  expect((await jobsCli(["replay", delivery.id, ...cli])).code).toBe(1);
}, 60_000);

test("an inline permanent failure: 422 with webhook-delivery: abort-message, kept as a dead letter, replayable", async () => {
  const { queue, spawn } = setUp("inline");
  const receiver = await spawn("receiver");
  const delivery = sign(secret, successPayload({ metadata: { test: "refuse" } }));
  const answer = await post(`${receiver.ready}/inline`, delivery);
  expect(answer.status).toBe(422);
  expect(answer.headers.get("webhook-delivery")).toBe("abort-message");
  expect(answer.body).toMatchObject({ error: { code: "permanent_failure" } });
  const [letter] = await listDeadLetters(queue);
  expect(letter).toMatchObject({ id: delivery.id, kind: "refused", reason: "refused report.pdf" });

  // Replayed, the delivery runs in a worker like any handed-off job.
  await spawn("worker");
  const replayed = await jobsCli(["replay", delivery.id, "--redis-url", redis.url, "--queue", "inline"]);
  expect(replayed.code).toBe(0);
  await until("the replayed delivery completed", async () => (await stateOf(queue, delivery.id)) === "completed");
  expect(countBy(space.lines(), "handled").get(delivery.id)).toBe(1);
}, 60_000);
