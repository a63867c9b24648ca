import type { DedupeStore, ErrorContext, MetadataSchema, VerifiedWebhook, WebhookHandlers } from "@colivara/webhooks";
import {
  checkMetadataSchema,
  createMetadataCheck,
  escapeText,
  isInvalidMetadata,
  numberOption,
} from "@colivara/webhooks/adapter";
import { type ConnectionOptions, Worker, type WorkerOptions } from "bullmq";
import { checkClusterKeys } from "./cluster-check.js";
import { BACKOFF_TYPE } from "./defaults.js";
import { invalidConfig } from "./errors.js";
import { type ColivaraJobData, fromJobData } from "./job-data.js";
import { createProcessor, type JobOutcome } from "./process-job.js";

/**
 * Options of {@link createColivaraWorker}.
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
export interface ColivaraWorkerOptions<M = Record<string, unknown>> {
  /** The same handler map the adapters take; `webhook.timestamp` is a `Date`. */
  on: WebhookHandlers<NoInfer<M>>;
  /**
   * The same Standard Schema (zod, valibot, arktype, …) the adapter's `metadata` option has:
   * the job keeps the metadata as sent, and the worker hands its handlers the schema's output.
   * A mismatch fails the job at once (no retry: it stays a dead letter) and reaches `onError`
   * as the `invalid_metadata` `WebhookVerificationError`, with the schema's `issues` (paths and
   * messages, never the values).
   */
  metadata?: MetadataSchema<M> | undefined;
  /** BullMQ connection (workers need `maxRetriesPerRequest: null`, BullMQ's default for options objects). */
  connection: ConnectionOptions;
  /** Runs per delivery, the first included, before it becomes a dead letter. Default 5. */
  attempts?: number | undefined;
  /** Exponential backoff: `delayMs · 2^(failures − 1)`, at most `maxDelayMs`. Default 1 s, at most 1 h. */
  backoff?: { delayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
  /**
   * A claim per delivery id (`redisStore(redis, { prefix: "colivara:jobs:" })`), so a job
   * BullMQ runs again (a stalled or killed worker) does not run a completed handler twice.
   * Without it, processing is at-least-once. Its `leaseSeconds` must exceed your longest handler.
   */
  dedupe?: DedupeStore | undefined;
  /** Jobs run in parallel by this worker. Default 1. */
  concurrency?: number | undefined;
  /** Reports handler failures and dedupe store errors. Default: console.error. */
  onError?: ((error: unknown, context: ErrorContext) => void) | undefined;
  /** Any other BullMQ worker option (`lockDuration`, `stalledInterval`, `prefix`, …). */
  worker?: Omit<WorkerOptions, "connection" | "concurrency" | "settings"> | undefined;
}

const HANDLER_KEYS = new Set(["upsert.success", "upsert.fail", "unknown"]);

function checkHandlers(on: unknown): WebhookHandlers<unknown> {
  if (on === null || typeof on !== "object") {
    throw invalidConfig('createColivaraWorker needs on: { "upsert.success": fn, … }.');
  }
  for (const [key, value] of Object.entries(on)) {
    if (!HANDLER_KEYS.has(key)) {
      throw invalidConfig(`on has an unexpected key "${key}"; use "upsert.success", "upsert.fail" or "unknown".`);
    }
    if (typeof value !== "function") throw invalidConfig(`on["${key}"] must be a function.`);
  }
  return on as WebhookHandlers<unknown>;
}

function defaultOnError(error: unknown, context: ErrorContext): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(
    `[colivara-webhooks-bullmq] ${message}${context.webhook ? ` (delivery ${escapeText(context.webhook.id)})` : ""}`,
  );
}

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
  const on = checkHandlers(options.on);
  checkClusterKeys("createColivaraWorker", options.connection, `${options.worker?.prefix ?? "bull"}:${queueName}`);
  const attempts = Math.floor(numberOption("attempts", options.attempts, { fallback: 5 }));
  const delayMs = numberOption("backoff.delayMs", options.backoff?.delayMs, { fallback: 1000, unit: "milliseconds" });
  const maxDelayMs = numberOption("backoff.maxDelayMs", options.backoff?.maxDelayMs, {
    fallback: 60 * 60 * 1000,
    unit: "milliseconds",
  });
  const onError = options.onError ?? defaultOnError;
  const report = (error: unknown, webhook?: VerifiedWebhook) => {
    try {
      onError(error, { webhook });
    } catch {
      // A failing reporter must not fail the job.
    }
  };
  const metadata = createMetadataCheck(checkMetadataSchema(options.metadata));
  const processor = createProcessor({
    on,
    metadata,
    attempts,
    dedupe: options.dedupe,
    inFlightDelayMs: delayMs,
    report,
  });
  const worker = new Worker<ColivaraJobData, JobOutcome>(queueName, processor, {
    ...options.worker,
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
    settings: {
      backoffStrategy: (failures: number, type?: string) =>
        type === BACKOFF_TYPE ? Math.min(maxDelayMs, delayMs * 2 ** Math.max(0, failures - 1)) : delayMs,
    },
  });
  worker.on("failed", (job, error) => {
    // A metadata mismatch is reported as itself: code invalid_metadata, with the schema's issues.
    if (job) report(isInvalidMetadata(error.cause) ? error.cause : error, fromJobData(job.data));
  });
  return worker;
}
