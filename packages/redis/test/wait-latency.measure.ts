// What waitForReplicas costs a delivery on a healthy Redis Cluster: claim + complete, in a
// row, as it is and with WAIT for one replica, in interleaved rounds so both see the same
// machine. A measurement, not a test: `pnpm bench --only redis-wait` runs it and prints the
// figures (MEASURE_COUNT deliveries per mode, written as JSON to MEASURE_OUT).
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Cluster } from "ioredis";
import { it } from "vitest";
import { startRedisCluster } from "../../../test/support/redis-cluster.js";
import { type RedisStoreOptions, redisStore } from "../src/index.js";

const COUNT = Number(process.env.MEASURE_COUNT ?? 500);
const ROUNDS = 5;

/** Milliseconds of one claim + complete, `count` times in a row. */
async function timings(client: Cluster, options: RedisStoreOptions, count: number): Promise<number[]> {
  const store = redisStore(client, { ...options, prefix: `latency:${randomUUID()}:` });
  const spent: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const claim = await store.claim(`msg_${i}`);
    await store.complete(`msg_${i}`, claim.token as string);
    spent.push(performance.now() - started);
  }
  return spent;
}

it("claim + complete on a healthy cluster, as it is and with waitForReplicas: 1", async () => {
  const cluster = await startRedisCluster();
  const client = new Cluster(cluster.nodes);
  try {
    await timings(client, {}, 100); // warm-up: connections to every primary
    const plain: number[] = [];
    const waiting: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(...(await timings(client, {}, Math.ceil(COUNT / ROUNDS))));
      waiting.push(...(await timings(client, { waitForReplicas: 1, waitTimeoutMs: 500 }, Math.ceil(COUNT / ROUNDS))));
    }
    const out = process.env.MEASURE_OUT;
    if (out !== undefined) writeFileSync(out, JSON.stringify({ plain, waiting }));
  } finally {
    await client.quit();
    await cluster.stop();
  }
});
