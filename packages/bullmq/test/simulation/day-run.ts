// One simulated day end to end: a Redis Cluster, receivers and workers in their own
// processes, the day's messages sent on Svix's schedule while the operations timeline
// crashes receivers, restarts workers and takes the endpoint down for an hour.
import { Queue } from "bullmq";
import { Cluster } from "ioredis";
import { newSecret } from "../../../../test/conformance/deliveries.js";
import { type RedisCluster, startRedisCluster } from "../../../../test/support/redis-cluster.js";
import { countBy, until, workspace } from "../support/processes.js";
import { HOUR, type PlanSize, planDay } from "./day-plan.js";
import { type Figures, judge, type Window } from "./day-report.js";
import { Fleet } from "./fleet.js";
import { deliverMessage, SimClock } from "./svix-sender.js";

export interface DaySize extends PlanSize {
  /** Real milliseconds per simulated hour. */
  msPerHour: number;
  seed: number;
}

const QUEUE = "colivara-day";
const PREFIX = "{colivara}";
const OUTAGE_AT = 13 * HOUR;

/** Crashes, restarts and the outage, at their simulated hours; fills in the outage's real window. */
async function operations(clock: SimClock, fleet: Fleet, outage: Window): Promise<void> {
  await clock.until(6 * HOUR);
  await fleet.crashReceiver();
  await clock.until(9 * HOUR);
  await fleet.restartWorkers();
  await clock.until(OUTAGE_AT);
  outage.from = clock.now();
  fleet.beginOutage();
  // During the outage a receiver crashes and the workers restart, however long that takes.
  const restarts = Promise.all([fleet.crashReceiver(), fleet.restartWorkers()]);
  await clock.until(outage.from + HOUR);
  fleet.endOutage();
  outage.to = clock.now();
  await restarts;
  await clock.until(18 * HOUR);
  await fleet.crashReceiver();
  await clock.until(20 * HOUR);
  await fleet.restartWorkers();
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

async function run(cluster: RedisCluster, size: DaySize): Promise<{ figures: Figures; violations: string[] }> {
  const space = workspace();
  const secret = newSecret();
  const nodes = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(",");
  const env = { REDIS_NODES: nodes, PREFIX, QUEUE, COLIVARA_WEBHOOK_SECRET: secret, CONCURRENCY: "8", ...space.env };
  const fleet = new Fleet(env);
  const queue = new Queue(QUEUE, { connection: new Cluster(cluster.nodes), prefix: PREFIX });
  try {
    await fleet.start(2, 2);
    const plan = planDay(size, size.seed);
    const clock = new SimClock(size.msPerHour);
    const outage: Window = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY };
    const context = { clock, secret, pick: () => fleet.pick() };
    const [logs] = await Promise.all([
      Promise.all(plan.messages.map((message) => deliverMessage(context, message))),
      operations(clock, fleet, outage),
    ]);
    const failedJobs = await drain(queue);
    const verdict = judge(logs, countBy(space.lines(), "handled"), outage);
    const figures = { ...verdict.figures, bursts: plan.bursts.length, "dead letters": failedJobs, ...fleet.restarts };
    const found = failedJobs > 0 ? [...verdict.violations, `${failedJobs} jobs failed for good`] : verdict.violations;
    return { figures: { ...figures, "simulated hours": Math.round(clock.now() / HOUR) }, violations: found };
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
