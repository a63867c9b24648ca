// A primary of a real Redis Cluster killed (SIGKILL) mid-traffic and its replica promoted,
// with deliveries flowing through a Fetch endpoint (createWebhookHandler) whose dedupe is
// redisStore on an ioredis Cluster client. Every delivery is sent like Svix sends it (until
// a 2xx), and after the failover a copy of each is sent again: a copy that runs the handler
// is a delivery handled twice.
//
// `lagReplica` first freezes the doomed primary's replica (SIGSTOP) and fills the
// replication link, so the primary acknowledges writes its replica has not received: the
// window Redis's asynchronous replication leaves, held open on purpose. Without it the
// primary is killed with a healthy replica, where the window is the last instant.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createWebhookHandler, type DedupeStore } from "@colivara/webhooks";
import { Cluster } from "ioredis";
import { type Delivery, newSecret, requestOf, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../test/support/redis-cluster.js";
import { DEFAULT_PREFIX, type RedisStoreOptions, redisStore } from "../src/index.js";

export interface FailoverOptions {
  /** The store's options besides the client (e.g. `{ waitForReplicas: 1 }`). */
  store: RedisStoreOptions;
  /** Freeze the doomed primary's replica and fill its link before the kill. */
  lagReplica: boolean;
  /** How long each handler runs, drawn evenly from [from, to] ms: deliveries are in flight at the kill. */
  handlerMs: readonly [from: number, to: number];
  /** Deliveries sent before the lag, during it (around the kill), and as a stream through the failover. */
  before: number;
  during: number;
  stream: number;
}

export interface FailoverFigures {
  /** Deliveries whose handled mark failed at least once and was retried. */
  marksRetried: number;
  /** Deliveries whose handled mark could not be stored within the retry bound (reported through onError). */
  marksLost: number;
  /** Deliveries handled twice whose handled mark was reported lost: the one double the pack owns up to. */
  handledTwiceMarkLost: number;
  deliveries: number;
  /** Deliveries whose key lives on the killed primary. */
  onKilledPrimary: number;
  /** Deliveries whose handler ran twice or more. */
  handledTwice: number;
  /** Deliveries whose handler never ran (must be 0). */
  neverHandled: number;
  /** Attempts answered 503 dedupe_unavailable (the sender retried them). */
  unavailable: number;
  /** Attempts with no answer within the sender's patience (a WAIT-blocked connection, a dead node). */
  timedOut: number;
  /** Attempts in all, copies included. */
  attempts: number;
}

/** The store as it is, noting the ids whose handled mark (complete) failed or was not acknowledged. */
function watched(store: DedupeStore, retried: Set<string>): DedupeStore {
  return {
    claim: (id) => store.claim(id),
    release: (id, token) => store.release(id, token),
    extend: (id, token) => store.extend?.(id, token) ?? Promise.resolve(),
    complete: (id, token) =>
      store.complete(id, token).catch((error: unknown) => {
        retried.add(id);
        throw error;
      }),
  };
}

/** The ids of the handled marks reported lost (dedupe_unavailable naming the delivery, after the retry bound). */
function lostMarks(lost: Set<string>) {
  return (error: unknown, context: { webhook?: { id: string } | undefined }) => {
    const message = error instanceof Error ? error.message : "";
    if (message.startsWith("The handled mark of delivery") && context.webhook) lost.add(context.webhook.id);
  };
}

/**
 * How long the sender waits for an answer before it counts the attempt as timed out and
 * retries (the first attempt may still finish): Svix's own 15 s, so a slow answer on a busy
 * two-core machine is not mistaken for a lost one.
 */
const SENDER_TIMEOUT_MS = 15_000;

/** One Svix-like sender: each delivery retried until a 2xx; attempts time out as Svix's do. */
function sender(endpoint: (request: Request) => Promise<Response>, tally: Map<number, number>) {
  const attempt = async (delivery: Delivery): Promise<number> => {
    const request = requestOf(delivery);
    // The timer is cancelled once the answer came, so no attempt leaves one running.
    const answered = new AbortController();
    const timeout = sleep(SENDER_TIMEOUT_MS, 0, { signal: answered.signal }).catch(() => 0);
    const status = await Promise.race([endpoint(request).then((response) => response.status), timeout]);
    answered.abort();
    tally.set(status, (tally.get(status) ?? 0) + 1);
    return status;
  };
  return async (delivery: Delivery, onAnswered?: () => void): Promise<void> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const status = await attempt(delivery);
      onAnswered?.();
      if (status >= 200 && status < 300) return;
      if (Date.now() > deadline) throw new Error(`delivery ${delivery.id} got no 2xx (last ${status})`);
      await sleep(50 + Math.random() * 100);
    }
  };
}

/** Writes 1 MiB values to a key on `primary` until its frozen replica's link is full. */
async function fillReplicationLink(cluster: RedisCluster, client: Cluster, primary: number): Promise<void> {
  let key = "";
  for (let i = 0; (await cluster.primaryFor(key)) !== primary; i++) key = `{filler-${i}}`;
  const value = "x".repeat(1 << 20);
  for (let i = 0; i < 256; i++) {
    await client.set(key, value);
    const replicas = await cluster.command(primary, "CLIENT", "LIST", "TYPE", "replica");
    // Past the kernel's socket buffers, what the replica has not received stays in the primary.
    if (Number(replicas.match(/omem=(\d+)/)?.[1] ?? 0) >= 2 << 20) return;
  }
  throw new Error("the replication link never filled");
}

/** An ioredis Cluster client as the README sets one up: bounded retries, quick failover refreshes. */
export function clusterClient(cluster: RedisCluster): Cluster {
  const client = new Cluster(cluster.nodes, {
    redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 500 },
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: 500,
  });
  client.on("error", () => {});
  return client;
}

/** Picks the primary to kill: the one serving a random delivery id's key. */
async function doomedPair(cluster: RedisCluster): Promise<{ primary: number; replica: number }> {
  const primary = await cluster.primaryFor(`${DEFAULT_PREFIX}msg_${randomUUID()}`);
  return { primary, replica: await cluster.replicaOf(primary) };
}

/** Runs the scenario on a fresh cluster, which it stops before returning. */
export async function runFailover(options: FailoverOptions): Promise<FailoverFigures> {
  const cluster = await startRedisCluster();
  const client = clusterClient(cluster);
  try {
    return await scenario(cluster, client, options);
  } finally {
    await client.quit().catch(() => client.disconnect());
    await cluster.stop();
  }
}

async function scenario(cluster: RedisCluster, client: Cluster, options: FailoverOptions): Promise<FailoverFigures> {
  const secret = newSecret();
  const handled = new Map<string, number>();
  const tally = new Map<number, number>();
  const retried = new Set<string>();
  const lost = new Set<string>();
  const endpoint = createWebhookHandler(
    async (webhook) => {
      handled.set(webhook.id, (handled.get(webhook.id) ?? 0) + 1);
      const [from, to] = options.handlerMs;
      await sleep(from + Math.random() * (to - from));
    },
    { secret, dedupe: watched(redisStore(client, options.store), retried), onError: lostMarks(lost) },
  );
  const send = sender(endpoint, tally);
  const fresh = (count: number) => Array.from({ length: count }, () => sign(secret, successPayload()));
  const sent: Delivery[] = [];

  const before = fresh(options.before);
  sent.push(...before);
  await Promise.all(before.map((delivery) => send(delivery)));

  const { primary, replica } = await doomedPair(cluster);
  if (options.lagReplica) {
    cluster.signal(replica, "SIGSTOP");
    await fillReplicationLink(cluster, client, primary);
  }
  // Around the kill: every delivery answered at least once, then the primary dies while
  // the ones refused are still being retried and a stream of new ones keeps arriving.
  const during = fresh(options.during);
  sent.push(...during);
  let answered = 0;
  const duringSent = Promise.all(during.map((delivery) => send(delivery, () => answered++)));
  while (answered < during.length) await sleep(20);
  const stream = streamDeliveries(options.stream, fresh, send, sent);
  cluster.signal(primary, "SIGKILL");
  if (options.lagReplica) cluster.signal(replica, "SIGCONT");
  await cluster.waitForPrimary(replica);
  // The crashed node comes back (as an orchestrator restarts it) as the new primary's replica:
  // until then, a store that waits for a replica refuses that shard's deliveries.
  await cluster.restart(primary, replica);
  await Promise.all([duringSent, stream]);

  // Copies of everything, after the failover.
  await Promise.all(sent.map((delivery) => send(delivery)));
  return figures(sent, handled, tally, { retried, lost }, await onPrimary(cluster, client, replica, sent));
}

/** New deliveries, one every 20 ms, each sent until a 2xx. */
async function streamDeliveries(
  count: number,
  fresh: (count: number) => Delivery[],
  send: (delivery: Delivery) => Promise<void>,
  sent: Delivery[],
): Promise<void> {
  const pending: Array<Promise<void>> = [];
  for (const delivery of fresh(count)) {
    sent.push(delivery);
    pending.push(send(delivery));
    await sleep(20);
  }
  await Promise.all(pending);
}

/** How many deliveries' keys the promoted replica (so the killed primary) serves. */
async function onPrimary(cluster: RedisCluster, client: Cluster, promoted: number, sent: Delivery[]): Promise<number> {
  const slots = await cluster.slotsOf(promoted);
  let count = 0;
  for (const delivery of sent) {
    const slot = Number(await client.call("CLUSTER", "KEYSLOT", DEFAULT_PREFIX + delivery.id));
    if (slots.some(([from, to]) => slot >= from && slot <= to)) count++;
  }
  return count;
}

function figures(
  sent: Delivery[],
  handled: Map<string, number>,
  tally: Map<number, number>,
  marks: { retried: Set<string>; lost: Set<string> },
  onKilledPrimary: number,
): FailoverFigures {
  const runs = sent.map((delivery) => handled.get(delivery.id) ?? 0);
  const twice = sent.filter((delivery) => (handled.get(delivery.id) ?? 0) > 1);
  return {
    marksRetried: marks.retried.size,
    marksLost: marks.lost.size,
    handledTwiceMarkLost: twice.filter((delivery) => marks.lost.has(delivery.id)).length,
    deliveries: sent.length,
    onKilledPrimary,
    handledTwice: runs.filter((count) => count > 1).length,
    neverHandled: runs.filter((count) => count === 0).length,
    unavailable: tally.get(503) ?? 0,
    timedOut: tally.get(0) ?? 0,
    attempts: [...tally.values()].reduce((sum, count) => sum + count, 0),
  };
}
