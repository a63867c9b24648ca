// One simulated day end to end: a Redis Cluster, receivers and workers in their own
// processes, the day's messages sent on Svix's schedule while the operations timeline
// crashes receivers, kills workers mid-job, replaces them gracefully, kills a Redis primary
// and takes the endpoint down for an hour.
import { Queue } from "bullmq";
import { Cluster } from "ioredis";
import { newSecret } from "../../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../../test/support/redis-cluster.js";
import { countBy, until, workspace } from "../support/processes.js";
import { HOUR, type PlanSize, planDay } from "./day-plan.js";
import { type Figures, judge, timeMapping, type Window } from "./day-report.js";
import { Fleet } from "./fleet.js";
import { deliverMessage, SimClock } from "./svix-sender.js";

export interface DaySize extends PlanSize {
  /** Real milliseconds per simulated hour. */
  msPerHour: number;
  seed: number;
  /** Simulated hours at which a Redis primary is SIGKILLed: the queue's first, then another shard's. */
  primaryKills: number[];
}

const QUEUE = "colivara-day";
const PREFIX = "{colivara}";
const OUTAGE_AT = 13 * HOUR;

/**
 * The worker's timers, in real time whatever the simulated clock does (see timeMapping).
 * The claim's lease outlasts the longest handler (2 s) plus a failover's gap (about 2 s):
 * nothing extends a claim while its handler runs, and a lease that ran out lets a job that
 * BullMQ found stalled in the failover run again beside the first.
 */
export const WORKER_TIMERS = { leaseSeconds: 5, lockMs: 2000, stalledMs: 1000 } as const;

/** A Redis primary killed while traffic flows: its replica promoted, the dead node back as its replica. */
class RedisFaults {
  readonly figures = { primariesKilled: 0, "failover real seconds": [] as string[] };
  private readonly killed: number[] = [];

  constructor(private readonly cluster: RedisCluster) {}

  /** The queue's primary first (BullMQ's keys and a third of the claims), then one of another shard. */
  private async victim(): Promise<number> {
    const queuePrimary = await this.cluster.primaryFor(PREFIX);
    if (this.killed.length === 0) return queuePrimary;
    for (let i = 0; ; i++) {
      const other = await this.cluster.primaryFor(`shard-${i}`);
      if (other !== queuePrimary) return other;
    }
  }

  async killPrimary(): Promise<void> {
    const primary = await this.victim();
    const replica = await this.cluster.replicaOf(primary);
    const started = performance.now();
    this.cluster.signal(primary, "SIGKILL");
    this.killed.push(primary);
    await this.cluster.waitForPrimary(replica);
    await this.cluster.restart(primary, replica);
    this.figures.primariesKilled++;
    this.figures["failover real seconds"].push(((performance.now() - started) / 1000).toFixed(1));
  }
}

/** The endpoint's hour-long outage, on its own timeline; fills in its real window. */
async function outageTimeline(clock: SimClock, fleet: Fleet, outage: Window): Promise<void> {
  await clock.until(OUTAGE_AT);
  outage.from = clock.now();
  fleet.beginOutage();
  await clock.until(outage.from + HOUR);
  fleet.endOutage();
  outage.to = clock.now();
}

/** Receivers crashed (SIGKILL), one of them during the outage. */
async function receiverTimeline(clock: SimClock, fleet: Fleet): Promise<void> {
  for (const hour of [6, OUTAGE_AT / HOUR + 0.25, 18]) {
    await clock.until(hour * HOUR);
    await fleet.crashReceiver();
  }
}

/**
 * Workers replaced gracefully (SIGTERM), once during the outage, and, on a timeline of
 * their own, killed mid-job (SIGKILL): a graceful stop that hangs delays no kill.
 */
async function workerTimeline(clock: SimClock, fleet: Fleet): Promise<void> {
  const at = async (hours: number[], step: () => Promise<void>) => {
    for (const hour of hours) {
      await clock.until(hour * HOUR);
      await step();
    }
  };
  await Promise.all([
    at([9, OUTAGE_AT / HOUR + 0.25, 20], () => fleet.restartWorkers()),
    at([7.5, 16], () => fleet.killWorker()),
  ]);
}

/** The Redis primaries killed, each at its hour; a failover takes real seconds, so it overlaps the fleet's faults. */
async function redisOperations(clock: SimClock, faults: RedisFaults, hours: number[]): Promise<void> {
  for (const hour of hours) {
    await clock.until(hour * HOUR);
    await faults.killPrimary();
  }
}

/** Waits until the queue holds no job still to run; a failed (dead-letter) job is a violation. */
async function drain(queue: Queue): Promise<number> {
  await until(
    "the queue is drained",
    async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
      return Object.values(counts).every((count) => count === 0) || undefined;
    },
    120_000,
  );
  return (await queue.getJobCounts("failed")).failed ?? 0;
}

function fleetEnv(cluster: RedisCluster, secret: string, space: Record<string, string>): Record<string, string> {
  return {
    REDIS_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(","),
    ...{ PREFIX, QUEUE, COLIVARA_WEBHOOK_SECRET: secret, CONCURRENCY: "8" },
    // A failover loses what only the dead primary had: the hand-off answers 202 and the
    // claim and mark count once a replica has them, as the README advises for a cluster.
    WAIT_FOR_REPLICAS: "1",
    // A claim refused while the shard has no replica spends an attempt: enough of them, with
    // a backoff, to outlast a failover and the dead node's return (about 25 s in all).
    ...{ ATTEMPTS: "8", BACKOFF_MS: "100" },
    LEASE_SECONDS: String(WORKER_TIMERS.leaseSeconds),
    ...{ LOCK_MS: String(WORKER_TIMERS.lockMs), STALLED_MS: String(WORKER_TIMERS.stalledMs) },
    ...space,
  };
}

async function run(cluster: RedisCluster, size: DaySize): Promise<{ figures: Figures; violations: string[] }> {
  const space = workspace();
  const secret = newSecret();
  const fleet = new Fleet(fleetEnv(cluster, secret, space.env));
  const faults = new RedisFaults(cluster);
  const queue = new Queue(QUEUE, { connection: new Cluster(cluster.nodes), prefix: PREFIX });
  try {
    await fleet.start(2, 2);
    const plan = planDay(size, size.seed);
    const clock = new SimClock(size.msPerHour);
    const outage: Window = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY };
    const context = { clock, secret, pick: () => fleet.pick() };
    const [logs] = await Promise.all([
      Promise.all(plan.messages.map((message) => deliverMessage(context, message))),
      outageTimeline(clock, fleet, outage),
      receiverTimeline(clock, fleet),
      workerTimeline(clock, fleet),
      redisOperations(clock, faults, size.primaryKills),
    ]);
    const failedJobs = await drain(queue);
    const lines = space.lines();
    const verdict = judge(logs, countBy(lines, "handled"), outage);
    const figures = {
      ...verdict.figures,
      bursts: plan.bursts.length,
      "dead letters": failedJobs,
      ...fleet.restarts,
      "kills that found jobs in flight": new Set(
        lines.filter((line) => line.kind === "cut" || line.kind === "marked-then-killed").map((line) => line.pid),
      ).size,
      "handlers cut by a worker's SIGKILL": countBy(lines, "cut").size,
      "jobs killed after their mark, before BullMQ completed them": countBy(lines, "marked-then-killed").size,
      primariesKilled: faults.figures.primariesKilled,
      "failover real seconds": faults.figures["failover real seconds"].join(", "),
      "simulated hours": Math.round(clock.now() / HOUR),
      "time mapping": timeMapping(size.msPerHour, WORKER_TIMERS),
    };
    const found = failedJobs > 0 ? [...verdict.violations, `${failedJobs} jobs failed for good`] : verdict.violations;
    return { figures, violations: found };
  } finally {
    await fleet.stop();
    await queue.close();
    space.remove();
  }
}

/** Runs a day on a fresh Redis Cluster (three primaries, one replica each) and stops it. */
export async function simulateDay(size: DaySize): Promise<{ figures: Figures; violations: string[] }> {
  const cluster = await startRedisCluster();
  try {
    return await run(cluster, size);
  } finally {
    await cluster.stop();
  }
}
