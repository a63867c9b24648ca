// waitForReplicas with one shard's replica dead (SIGKILL, not back yet), next to healthy
// shards: that shard's deliveries are refused at once (503, no WAIT issued on its primary, so
// a sender's concurrency slots are not held), the others are handled as usual, and once the
// replica is back the refused ones succeed. Real 6-node cluster; a sender with 8 slots, as
// Svix limits concurrency. Time is printed, never asserted.
import { createWebhookHandler } from "@colivara/webhooks";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Delivery, newSecret, requestOf, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../test/support/redis-cluster.js";
import { DEFAULT_PREFIX, redisStore } from "../src/index.js";

const DELIVERIES = 120;
const SLOTS = 8;

let cluster: RedisCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on("error", () => {});
});

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

/** Sends each delivery once through at most `SLOTS` concurrent requests; the status of each. */
async function sendAll(endpoint: (request: Request) => Promise<Response>, deliveries: Delivery[]) {
  const statuses = new Map<string, number>();
  let next = 0;
  const slot = async () => {
    for (let delivery = deliveries[next++]; delivery; delivery = deliveries[next++]) {
      const request = requestOf(delivery);
      statuses.set(delivery.id, (await endpoint(request)).status);
    }
  };
  await Promise.all(Array.from({ length: SLOTS }, slot));
  return statuses;
}

const waitCalls = async (port: number) =>
  Number(/cmdstat_wait:calls=(\d+)/.exec(await cluster.command(port, "INFO", "commandstats"))?.[1] ?? 0);

it("refuses the replica-less shard's deliveries at once and handles every other shard's; all succeed once the replica is back", async () => {
  const secret = newSecret();
  const handled = new Set<string>();
  const reported: string[] = [];
  const endpoint = createWebhookHandler(
    (webhook) => {
      handled.add(webhook.id);
    },
    {
      secret,
      dedupe: redisStore(client, { waitForReplicas: 1, waitTimeoutMs: 500 }),
      onError: (error) => reported.push(String((error as Error).message)),
    },
  );
  const deliveries = Array.from({ length: DELIVERIES }, () => sign(secret, successPayload()));
  const primaryOf = new Map<string, number>();
  for (const delivery of deliveries) primaryOf.set(delivery.id, await cluster.primaryFor(DEFAULT_PREFIX + delivery.id));
  const doomed = primaryOf.get(deliveries[0]?.id ?? "") as number;
  const replica = await cluster.replicaOf(doomed);
  cluster.signal(replica, "SIGKILL");
  const info = () => cluster.command(doomed, "INFO", "replication");
  for (let i = 0; i < 200 && !(await info()).includes("connected_slaves:0"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await info()).toContain("connected_slaves:0");

  const waitsBefore = await waitCalls(doomed);
  const started = performance.now();
  const statuses = await sendAll(endpoint, deliveries);
  console.log(
    `[replica-less shard] ${DELIVERIES} deliveries through ${SLOTS} slots in ${Math.round(performance.now() - started)} ms`,
  );
  const onDoomed = deliveries.filter((delivery) => primaryOf.get(delivery.id) === doomed);
  const elsewhere = deliveries.filter((delivery) => primaryOf.get(delivery.id) !== doomed);
  expect(onDoomed.length).toBeGreaterThan(0);
  expect(elsewhere.length).toBeGreaterThan(0);
  expect(onDoomed.map((delivery) => statuses.get(delivery.id))).toEqual(onDoomed.map(() => 503));
  expect(
    elsewhere.map((delivery) => statuses.get(delivery.id)),
    reported.filter((message) => !onDoomed.some((delivery) => message.includes(delivery.id))).join("\n"),
  ).toEqual(elsewhere.map(() => 204));
  // Refused at once: the shard's primary was never asked to WAIT for the replica it lacks.
  expect(await waitCalls(doomed)).toBe(waitsBefore);

  await cluster.restart(replica, doomed);
  const retried = await sendAll(endpoint, onDoomed);
  expect(onDoomed.map((delivery) => retried.get(delivery.id))).toEqual(onDoomed.map(() => 204));
  expect(deliveries.every((delivery) => handled.has(delivery.id))).toBe(true);
}, 120_000);
