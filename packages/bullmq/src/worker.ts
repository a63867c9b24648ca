import {
  type ColivaraJobData,
  createJobRunner,
  type JobOutcome,
  type JobRunnerOptions,
  type QueueDescription,
} from "@colivara/webhooks/worker";
import { type ConnectionOptions, Worker, type WorkerOptions } from "bullmq";
import { checkClusterKeys } from "./cluster-check.js";
import { BACKOFF_TYPE } from "./defaults.js";
import { createProcessor } from "./process-job.js";

/**
 * Options of {@link createColivaraWorker}: the worker core's options (`on`, `metadata`,
 * `attempts`, `backoff`, `dedupe`, `onError`, see `JobRunnerOptions` in
 * `@colivara/webhooks/worker`) and BullMQ's own.
 *
 * @example
 * ```ts
 * const options: ColivaraWorkerOptions = {
 *   connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null },
 *   on: { "upsert.success": async (event) => reindex(event.id) },
 *   attempts: 8,
 *   backoff: { delayMs: 2000 },
 * };
 * ```
 */
export interface ColivaraWorkerOptions<M = Record<string, unknown>> extends JobRunnerOptions<M> {
  /** BullMQ connection (workers need `maxRetriesPerRequest: null`, BullMQ's default for options objects). */
  connection: ConnectionOptions;
  /** Jobs run in parallel by this worker. Default 1. */
  concurrency?: number | undefined;
  /** Any other BullMQ worker option (`lockDuration`, `stalledInterval`, `prefix`, …). */
  worker?: Omit<WorkerOptions, "connection" | "concurrency" | "settings"> | undefined;
}

const QUEUE: QueueDescription = {
  creator: "createColivaraWorker",
  system: "bullmq",
  scope: "@colivara/webhooks-bullmq",
};

/**
 * A BullMQ worker that runs handed-off deliveries through the adapters' handler map:
 * typed events, exponential retries, `permanentFailure()` ends retries at once, and a job
 * that fails for good stays in the queue's failed list (the dead letters).
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { permanentFailure } from "@colivara/webhooks";
 * import { createColivaraWorker } from "@colivara/webhooks-bullmq";
 * import { redisStore } from "@colivara/webhooks-redis";
 *
 * const worker = createColivaraWorker("colivara-webhooks", {
 *   connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null },
 *   dedupe: redisStore(new Redis(process.env.REDIS_URL ?? ""), { prefix: "colivara:jobs:" }),
 *   on: {
 *     "upsert.success": async (event, webhook) => reindex(event.id, webhook.timestamp),
 *     "upsert.fail": async (event) => {
 *       if (!event.metadata.tenant) throw permanentFailure("no tenant in metadata");
 *       await notifyTeam(event.name, event.error);
 *     },
 *   },
 * });
 * ```
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * createColivaraWorker("colivara-webhooks", {
 *   connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null },
 *   metadata: z.object({ tenant: z.string() }),
 *   on: { "upsert.success": async (event) => reindex(event.metadata.tenant, event.id) },
 * });
 * ```
 */
export function createColivaraWorker<M = Record<string, unknown>>(
  queueName: string,
  options: ColivaraWorkerOptions<M>,
): Worker<ColivaraJobData, JobOutcome> {
  const runner = createJobRunner(options, QUEUE);
  checkClusterKeys("createColivaraWorker", options.connection, `${options.worker?.prefix ?? "bull"}:${queueName}`);
  const { delayMs } = runner.backoff;
  const worker = new Worker<ColivaraJobData, JobOutcome>(queueName, createProcessor(runner), {
    ...options.worker,
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
    settings: {
      backoffStrategy: (failures: number, type?: string) =>
        type === BACKOFF_TYPE ? runner.backoffDelay(failures) : delayMs,
    },
  });
  // Failures the run threw were reported by it; this reports the rest (a job failed as stalled).
  worker.on("failed", (job, error) => {
    if (job) runner.reportFailure(error, job.data);
  });
  return worker;
}
