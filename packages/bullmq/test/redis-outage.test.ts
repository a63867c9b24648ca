// Redis stopped: the hand-off answers 503 handoff_unavailable and acknowledges nothing;
// Redis back at the same address: the sender's retries are stored and processed once.
import { Queue } from "bullmq";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type Answer, pool, post } from "./support/http.js";
import {
  type Child,
  countBy,
  freePort,
  startReceiver,
  startRedisAt,
  startWorker,
  until,
  workspace,
} from "./support/processes.js";

const QUEUE = "outage";
const secret = newSecret();
const space = workspace();
let redis: Child;
let url: string;
let port: number;
let children: Child[] = [];

beforeAll(async () => {
  port = await freePort();
  redis = await startRedisAt(port);
  url = `redis://127.0.0.1:${port}`;
  const env = { REDIS_URL: url, QUEUE, COLIVARA_WEBHOOK_SECRET: secret, ...space.env };
  children = await Promise.all([startReceiver(env), startReceiver(env), startWorker(env)]);
});

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop("SIGKILL")));
  await redis?.stop();
  space.remove();
});

test("Redis down: 503 handoff_unavailable, nothing acknowledged; Redis back: the retries succeed", async () => {
  const deliveries = Array.from({ length: 40 }, () => sign(secret, successPayload()));
  const urls = children.slice(0, 2).map((child) => `${child.ready}/hand-off`);
  await redis.stop();

  const during = await pool(deliveries, 8, (delivery, index) => post(urls[index % 2] as string, delivery));
  for (const answer of during) {
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code: "handoff_unavailable" } });
  }

  redis = await startRedisAt(port);
  // The sender retries each delivery until a 2xx, as Svix does.
  const after = await pool(deliveries, 8, async (delivery, index) => {
    const target = urls[index % 2] as string;
    let last: Answer | undefined;
    return until(
      () => `a 2xx for ${delivery.id} (last answer: ${last?.status} ${JSON.stringify(last?.body)})`,
      async () => {
        last = await post(target, delivery);
        return last.status < 300 ? last : undefined;
      },
    );
  });
  expect(after.map((answer) => answer.status)).toEqual(deliveries.map(() => 202));

  const queue = new Queue(QUEUE, { connection: { url } });
  try {
    for (const answer of after) expect(await queue.getJob(answer.id), answer.id).toBeDefined();
    await until("every delivery handled", () => countBy(space.lines(), "handled").size === deliveries.length);
    await until(
      "the queue idle",
      async () => (await queue.getJobCounts("waiting", "active")).waiting === 0 || undefined,
    );
  } finally {
    await queue.close();
  }
  for (const delivery of deliveries) expect(countBy(space.lines(), "handled").get(delivery.id)).toBe(1);
}, 120_000);
