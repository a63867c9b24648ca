import { numberOption } from "@colivara/webhooks/adapter";
import {
  type ColivaraJobData,
  createJobRunner,
  type JobRunnerOptions,
  type QueuedJob,
} from "@colivara/webhooks/worker";
import type { Job, JobResult, PgBoss } from "pg-boss";
import { checkOptionKeys } from "./option-keys.js";
import { DEFAULT_PG_BOSS_QUEUE, queueName } from "./pg-boss-hand-off.js";
import { prepareQueues } from "./pg-boss-queues.js";
import { invalid } from "./sql-client.js";

/**
 * Options of {@link createPgBossWorker}: the handler map and retry policy every queue's
 * worker takes, and pg-boss's own.
 *
 * @example
 * ```ts
 * const options: PgBossWorkerOptions = {
 *   on: { "upsert.success": async (event) => reindex(event.id) },
 *   dedupe: postgresStore(pool, { table: "colivara_webhook_jobs" }),
 *   attempts: 8,
 * };
 * ```
 */
export interface PgBossWorkerOptions<M = Record<string, unknown>> extends JobRunnerOptions<M> {
  /** The queue `pgBossHandOff` sends to. Default `"colivara-webhooks"`. */
  queue?: string | undefined;
  /** Where jobs that fail for good go. Default `"<queue>.dead-letters"`, as the hand-off's `deadLetter`. */
  deadLetterQueue?: string | undefined;
  /** Jobs this worker runs at once. Default 1. */
  concurrency?: number | undefined;
  /**
   * How long a run may last before pg-boss takes the job back and retries it: how soon the
   * job of a killed worker runs again. Keep it above your longest handler and the dedupe
   * store's `leaseSeconds`. Default: the queue's (pg-boss: 15 minutes).
   */
  expireInSeconds?: number | undefined;
  /** How often an idle worker looks for jobs, in seconds (pg-boss's `pollingIntervalSeconds`). Default 2. */
  pollingIntervalSeconds?: number | undefined;
}

/**
 * A running worker: {@link PgBossWorker.stop} stops taking jobs and waits for the running ones.
 *
 * @example
 * ```ts
 * process.on("SIGTERM", () => void worker.stop());
 * ```
 */
export interface PgBossWorker {
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** pg-boss's id of this worker (`boss.offWork` takes it). */
  readonly workerId: string;
  /** Stops taking jobs; resolves once the running ones have finished. */
  stop(): Promise<void>;
}

const KEYS = [
  "on",
  "metadata",
  "attempts",
  "backoff",
  "dedupe",
  "onError",
  "queue",
  "deadLetterQueue",
  "concurrency",
  "expireInSeconds",
  "pollingIntervalSeconds",
] as const;

/** The error that tells the job's result "fail for good": its message is the dead letter's reason. */
class FailForGood extends Error {}

const AGAIN = Symbol("again");

/** Resolves after `ms`, or at once when pg-boss aborts the run (expired, or the worker stops). */
function pause(ms: number, signal: AbortSignal): Promise<typeof AGAIN> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve(AGAIN);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function optionalSeconds(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = numberOption(name, value, { fallback: 1, unit: "seconds" });
  if (!Number.isInteger(seconds)) throw invalid(`${name} must be a whole number of seconds, got ${String(value)}.`);
  return seconds;
}

/**
 * Runs the deliveries {@link pgBossHandOff} stored, through the adapters' handler map: typed
 * events, retries with backoff, `permanentFailure()` ends retries at once, and a job that
 * fails for good goes to the dead letter queue (to list and replay). With `dedupe` (a claim
 * per delivery, in a table of its own), a job pg-boss runs again (a killed worker's, after
 * `expireInSeconds`) does not run a completed handler twice. A job whose delivery another run
 * still holds waits in the worker, without spending an attempt.
 *
 * Creates the queue and its dead letter queue when missing and sets the retry policy on the
 * queue (pg-boss copies it into each job when it is inserted). Bad options throw
 * `invalid_config` before anything is created.
 *
 * @example
 * ```ts
 * import { permanentFailure } from "@colivara/webhooks";
 * import { createPgBossWorker, migrate, postgresStore } from "@colivara/webhooks-postgres";
 *
 * await migrate(pool, { table: "colivara_webhook_jobs" });
 * const worker = await createPgBossWorker(boss, {
 *   dedupe: postgresStore(pool, { table: "colivara_webhook_jobs" }),
 *   on: {
 *     "upsert.success": async (event) => reindex(event.id),
 *     "upsert.fail": async (event) => {
 *       if (!event.metadata.tenant) throw permanentFailure("no tenant in metadata");
 *       await notifyTeam(event.name, event.error);
 *     },
 *   },
 * });
 * ```
 */
export async function createPgBossWorker<M = Record<string, unknown>>(
  boss: PgBoss,
  options: PgBossWorkerOptions<M>,
): Promise<PgBossWorker> {
  if (typeof (boss as Partial<PgBoss> | null)?.work !== "function") {
    throw invalid("createPgBossWorker(boss, options) needs a started PgBoss: new PgBoss(process.env.DATABASE_URL).");
  }
  checkOptionKeys("createPgBossWorker", options, KEYS);
  const runner = createJobRunner(options, {
    creator: "createPgBossWorker",
    system: "pg-boss",
    scope: "@colivara/webhooks-postgres",
  });
  const queue = queueName("queue", options.queue, DEFAULT_PG_BOSS_QUEUE);
  const deadLetterQueue = queueName("deadLetterQueue", options.deadLetterQueue, `${queue}.dead-letters`);
  const concurrency = Math.floor(numberOption("concurrency", options.concurrency, { fallback: 1 }));
  const expireInSeconds = optionalSeconds("expireInSeconds", options.expireInSeconds);
  const pollingIntervalSeconds = numberOption("pollingIntervalSeconds", options.pollingIntervalSeconds, {
    fallback: 2,
    unit: "seconds",
  });
  await prepareQueues(boss, {
    queue,
    deadLetterQueue,
    attempts: runner.attempts,
    backoff: runner.backoff,
    expireInSeconds,
  });

  async function runJob(job: Job<ColivaraJobData>): Promise<JobResult> {
    const queued: QueuedJob<typeof AGAIN> = {
      data: job.data,
      attemptsMade: job.retryCount,
      retryLater: (delayMs) => pause(delayMs, job.signal),
      failForGood: (failure) => new FailForGood(failure.message),
    };
    try {
      let outcome = await runner.run(queued);
      while (outcome === AGAIN && !job.signal.aborted) outcome = await runner.run(queued);
      if (outcome === AGAIN)
        return { id: job.id, status: "failed", output: { message: "stopped while another run held the delivery" } };
      return { id: job.id, status: "completed", output: { outcome } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { id: job.id, status: error instanceof FailForGood ? "deadletter" : "failed", output: { message } };
    }
  }

  const workerId = await boss.work<ColivaraJobData>(
    queue,
    { perJobResults: true, batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds },
    (jobs) => Promise.all(jobs.map(runJob)),
  );
  return {
    queue,
    deadLetterQueue,
    workerId,
    stop: () => boss.offWork(queue, { id: workerId, wait: true }),
  };
}
