import type { DeadLetter, HandOff, HandOffContext, VerifiedWebhook } from "@colivara/webhooks";
import { dedupeKey, numberOption } from "@colivara/webhooks/adapter";
import { currentTraceContext, toJobData } from "@colivara/webhooks/worker";
import { type ReplicaWait, replicaWaitOption } from "@colivara/webhooks-redis";
import type { JobsOptions, Queue } from "bullmq";
import { checkClusterKeys } from "./cluster-check.js";
import {
  BACKOFF_TYPE,
  DEAD_LETTER_JOB_NAME,
  DEFAULT_KEEP_COMPLETED_SECONDS,
  JOB_ATTEMPTS_CEILING,
  PARKED_DELAY_MS,
} from "./defaults.js";
import { handOffUnavailable, invalidConfig } from "./errors.js";
import { watchStart } from "./queue-start.js";
import { setAndWait } from "./replica-wait.js";

/**
 * Options of {@link bullmqHandOff}.
 *
 * @example
 * ```ts
 * const options: BullmqHandOffOptions = { keepCompletedSeconds: 48 * 3600, timeoutMs: 3000 };
 * ```
 */
export interface BullmqHandOffOptions {
  /**
   * How long completed jobs, and so their ids, are kept: a copy of a delivery arriving
   * later than this is processed again. Default 28 hours (Svix's retry horizon).
   */
  keepCompletedSeconds?: number | undefined;
  /**
   * Longest wait for Redis before the adapter answers 503. Default 5,000 ms, well under
   * Svix's 15 s. Give the queue a fail-fast connection too (see the README).
   */
  timeoutMs?: number | undefined;
  /**
   * Answer 202 only once this many replicas of the queue's primary acknowledged the job
   * (Redis `WAIT` on the connection that added it); otherwise 503, and Svix retries. A
   * failover can otherwise lose a job whose 202 was sent, and Svix never sends it again.
   * Needs an ioredis connection. Off by default; see the README for what it costs.
   */
  waitForReplicas?: number | undefined;
  /** The longest `WAIT` for `waitForReplicas`, in milliseconds. Default 500. */
  waitTimeoutMs?: number | undefined;
}

/**
 * A hand-off for every adapter's `handOff` option, plus the `deadLetter` that keeps
 * deliveries an inline handler refused in the same queue.
 *
 * @example
 * ```ts
 * const handOff: BullmqHandOff = bullmqHandOff(queue);
 * app.post("/webhooks/colivara", verifyColivara({ handOff }));
 * ```
 */
export interface BullmqHandOff extends HandOff {
  /** The queue jobs go to. */
  readonly queue: Queue;
  /**
   * For an inline route's `deadLetter` option: keeps a refused delivery in this queue as a
   * parked job that the dead-letter functions and the `colivara-webhooks-jobs` CLI list and replay.
   */
  readonly deadLetter: DeadLetter;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function jobOptionsFor(keepSeconds: number): JobsOptions {
  return {
    attempts: JOB_ATTEMPTS_CEILING,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: keepSeconds },
    // Failed jobs are the dead-letter list: never dropped by the queue.
    removeOnFail: false,
  };
}

interface StoreSettings {
  jobOptions: JobsOptions;
  keepSeconds: number;
  wait: ReplicaWait | undefined;
}

/** Adds the job, then the marker that tells its first enqueue from a copy (see {@link bullmqHandOff}). */
async function storeJob(
  queue: Queue,
  { jobOptions, keepSeconds, wait }: StoreSettings,
  webhook: VerifiedWebhook,
  traceContext: Record<string, string> | undefined,
): Promise<"stored" | "duplicate"> {
  // The id itself, or its digest past 256 bytes: a signed id of megabytes keys a short job.
  const jobId = await dedupeKey(webhook.id);
  await queue.add(webhook.event.type, toJobData(webhook, traceContext), { ...jobOptions, jobId });
  const client = await queue.getBackend().client;
  // Under the queue's own prefix: on a Redis Cluster, in the queue's hash slot.
  const marker = queue.toKey(`colivara-accepted:${jobId}`);
  const args = [marker, "1", "NX", "EX", Math.ceil(keepSeconds)];
  if (!wait) return (await client.runCommand("set", args)) === "OK" ? "stored" : "duplicate";
  const [first, acknowledged] = await setAndWait(client, args, wait);
  if (acknowledged < wait.replicas) {
    throw new Error(`the job was acknowledged by ${acknowledged} of ${wait.replicas} Redis replica(s) in time`);
  }
  return first === "OK" ? "stored" : "duplicate";
}

/**
 * Hands verified deliveries to a BullMQ queue: one job per delivery, its id the delivery
 * id, so a copy adds nothing (`dedupeKey(id)`: the id itself, or `~sha256-<hex>` past 256
 * UTF-8 bytes; the job's data holds the id as sent). `enqueue` resolves only once Redis
 * stored the job (the adapter answers 202), `"duplicate"` for a copy (200), and rejects
 * when Redis is unreachable (503).
 *
 * Duplicate detection: BullMQ's `add` with an existing `jobId` returns that job without a
 * sign that it existed, so after the add a `SET NX` marker (kept as long as completed jobs)
 * names the first enqueue "stored" and every copy "duplicate", across instances. The marker
 * is set only after the add resolved: whichever answer is sent, the job is in Redis.
 *
 * @example
 * ```ts
 * import { Queue } from "bullmq";
 * import { bullmqHandOff } from "@colivara/webhooks-bullmq";
 *
 * const queue = new Queue("colivara-webhooks", {
 *   connection: { url: process.env.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
 * });
 * await queue.waitUntilReady(); // BullMQ never retries a failed start: let it stop the boot
 * app.post("/webhooks/colivara", verifyColivara({ handOff: bullmqHandOff(queue) }));
 * ```
 */
export function bullmqHandOff(queue: Queue, options: BullmqHandOffOptions = {}): BullmqHandOff {
  if (typeof (queue as Partial<Queue> | null)?.add !== "function") {
    throw invalidConfig('bullmqHandOff(queue) needs a BullMQ Queue: new Queue("colivara-webhooks", { connection }).');
  }
  checkClusterKeys("bullmqHandOff(queue)", queue.opts?.connection, queue.qualifiedName ?? "");
  const keepSeconds = numberOption("keepCompletedSeconds", options.keepCompletedSeconds, {
    fallback: DEFAULT_KEEP_COMPLETED_SECONDS,
    unit: "seconds",
  });
  const timeoutMs = numberOption("timeoutMs", options.timeoutMs, { fallback: 5000, unit: "milliseconds" });
  const wait = replicaWaitOption(options.waitForReplicas, options.waitTimeoutMs);
  const startFailed = watchStart(queue);
  const jobOptions = jobOptionsFor(keepSeconds);
  const store = { jobOptions, keepSeconds, wait };

  async function enqueue(webhook: VerifiedWebhook, context: HandOffContext): Promise<"stored" | "duplicate"> {
    const traceContext = context.traceContext ?? (await currentTraceContext());
    try {
      return await withTimeout(storeJob(queue, store, webhook, traceContext), timeoutMs);
    } catch (error) {
      throw handOffUnavailable(error, startFailed());
    }
  }

  const deadLetter: DeadLetter = async (webhook, error) => {
    const data = { ...toJobData(webhook), refused: error.message };
    // Parked as a delayed job that never comes due: kept in the queue, listed with the
    // failed jobs, and run by a worker only once replayed.
    try {
      const parked = { ...jobOptions, jobId: await dedupeKey(webhook.id), delay: PARKED_DELAY_MS };
      await withTimeout(queue.add(DEAD_LETTER_JOB_NAME, data, parked), timeoutMs);
    } catch (failure) {
      throw handOffUnavailable(failure, startFailed());
    }
  };

  return { queue, enqueue, deadLetter };
}
