// Many deliveries, copies and failing first attempts, to two receivers and two workers
// (separate processes) sharing one redis-server: each answered, processed once, none lost.
// The full size (5,000) runs in about 15 s on two shared cores; set
// COLIVARA_BULLMQ_DELIVERIES to another number to change it.
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Delivery, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { pool, post } from "./support/http.js";
import { type Child, countBy, startReceiver, startWorker, until, workspace } from "./support/processes.js";

const TOTAL = Number(process.env.COLIVARA_BULLMQ_DELIVERIES ?? 5000);
const QUEUE = "load";
const secret = newSecret();
let redis: RedisServer;
let children: Child[] = [];
const space = workspace();

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, QUEUE, COLIVARA_WEBHOOK_SECRET: secret, CONCURRENCY: "16", ...space.env };
  children = await Promise.all([startReceiver(env), startReceiver(env), startWorker(env), startWorker(env)]);
});

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop("SIGKILL")));
  await redis?.stop();
  space.remove();
});

function plan() {
  const uniques = Array.from({ length: Math.round(TOTAL * 0.7) }, (_, i) =>
    sign(secret, successPayload({ metadata: { test: i % 7 === 0 ? "fail-once" : "ok" } })),
  );
  const copies = Array.from(
    { length: TOTAL - uniques.length },
    () => uniques[Math.floor(Math.random() * uniques.length)] as Delivery,
  );
  const sends = [...uniques, ...copies].map((delivery) => ({ delivery, order: Math.random() }));
  sends.sort((a, b) => a.order - b.order);
  return { uniques, sends: sends.map((send) => send.delivery) };
}

test(`${TOTAL} deliveries, 30% copies, some failing once, 64 in flight: each processed exactly once`, async () => {
  const { uniques, sends } = plan();
  // Every seventh delivery's first attempt fails (the worker fixture throws once for it).
  const failing = uniques.filter((delivery) => delivery.body.includes("fail-once")).length;
  const urls = children.slice(0, 2).map((child) => `${child.ready}/hand-off`);
  const answers = await pool(sends, 64, (delivery, index) => post(urls[index % 2] as string, delivery));

  for (const answer of answers) {
    const accepted = answer.status === 202 && answer.body?.accepted === true;
    const duplicate = answer.status === 200 && answer.body?.duplicate === true;
    expect(accepted || duplicate, JSON.stringify(answer)).toBe(true);
  }
  const firstAnswers = countBy(
    answers.filter((answer) => answer.status === 202).map((answer) => ({ kind: "handled", id: answer.id, pid: 0 })),
    "handled",
  );
  expect(firstAnswers.size).toBe(uniques.length);
  expect([...firstAnswers.values()].every((count) => count === 1)).toBe(true);

  const queue = new Queue(QUEUE, { connection: { url: redis.url } });
  try {
    await until(
      "every delivery handled and the queue idle",
      async () => {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed");
        const idle = counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
        return idle && counts.completed === uniques.length ? counts : undefined;
      },
      240_000,
    );
    expect(await queue.getFailedCount()).toBe(0);
  } finally {
    await queue.close();
  }
  const handled = countBy(space.lines(), "handled");
  expect(handled.size).toBe(uniques.length);
  for (const delivery of uniques) expect(handled.get(delivery.id), delivery.id).toBe(1);
  expect(countBy(space.lines(), "failed").size).toBe(failing);
}, 300_000);
