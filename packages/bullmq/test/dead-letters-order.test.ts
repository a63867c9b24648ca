// listDeadLetters lists the oldest failure first, as its documentation says (BullMQ's own
// getFailed lists the newest first): three deliveries refused for good one after another by
// a worker on a real redis-server.
import { createWebhookHandler, permanentFailure } from "@colivara/webhooks";
import { bullmqHandOff, createColivaraWorker, listDeadLetters } from "@colivara/webhooks-bullmq";
import { Queue, type Worker } from "bullmq";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { until } from "./support/processes.js";

const secret = newSecret();
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

test("the oldest failure comes first", async () => {
  const queue = new Queue("dead-letter-order", { connection: { url: redis.url } });
  const endpoint = createWebhookHandler(undefined, { secret, handOff: bullmqHandOff(queue) });
  const failedInOrder: string[] = [];
  const worker: Worker = createColivaraWorker("dead-letter-order", {
    connection: { url: redis.url, maxRetriesPerRequest: null },
    concurrency: 1,
    onError: () => {},
    on: {
      "upsert.success": (_event, webhook) => {
        failedInOrder.push(webhook.id);
        throw permanentFailure("tenant deleted");
      },
    },
  });
  try {
    const deliveries = [1, 2, 3].map(() => sign(secret, successPayload()));
    for (const [index, delivery] of deliveries.entries()) {
      const request = new Request("http://127.0.0.1/hooks", {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
      });
      expect((await endpoint(request)).status).toBe(202);
      // Each fails before the next is sent: the failures' order is the sending order.
      await until("the delivery failed", async () => (await queue.getFailedCount()) === index + 1 || undefined);
    }
    await until("every delivery failed", async () => (await queue.getFailedCount()) === 3 || undefined);
    expect(failedInOrder).toEqual(deliveries.map((delivery) => delivery.id));
    expect((await listDeadLetters(queue)).map((letter) => letter.id)).toEqual(failedInOrder);
    expect((await listDeadLetters(queue, { limit: 2 })).map((letter) => letter.id)).toEqual(failedInOrder.slice(0, 2));
  } finally {
    await worker.close();
    await queue.close();
  }
}, 60_000);
