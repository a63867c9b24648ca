import type { DedupeStore } from "../dedupe/dedupe.js";
import { checkHandlerKeys, type WebhookHandlers } from "../pipeline/options.js";
import { WebhookVerificationError } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { ErrorContext, VerifiedWebhook } from "../shared/events.js";
import { numberOption } from "../shared/number-option.js";
import {
  checkMetadataSchema,
  createMetadataCheck,
  type MetadataCheck,
  type MetadataSchema,
} from "../verify/metadata-check.js";

/**
 * The options every queue's worker takes (BullMQ's `createColivaraWorker` adds its
 * connection, concurrency and worker settings). `M` is the type of `event.metadata`,
 * inferred from the `metadata` schema.
 *
 * @example
 * ```ts
 * const options: JobRunnerOptions = {
 *   on: { "upsert.success": async (event) => reindex(event.id) },
 *   attempts: 8,
 *   backoff: { delayMs: 2000 },
 * };
 * ```
 */
export interface JobRunnerOptions<M = Record<string, unknown>> {
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
  /** Runs per delivery, the first included, before it becomes a dead letter. Default 5. */
  attempts?: number | undefined;
  /** Exponential backoff: `delayMs · 2^(failures − 1)`, at most `maxDelayMs`. Default 1 s, at most 1 h. */
  backoff?: { delayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
  /**
   * A claim per delivery id (`redisStore(redis, { prefix: "colivara:jobs:" })`), so a job
   * the queue runs again (a stalled or killed worker) does not run a completed handler twice.
   * Without it, processing is at-least-once. Its `leaseSeconds` must exceed your longest handler.
   */
  dedupe?: DedupeStore | undefined;
  /** Reports handler failures and dedupe store errors. Default: one escaped line on console.error. */
  onError?: ((error: unknown, context: ErrorContext) => void) | undefined;
}

/**
 * Who runs the jobs: named in configuration errors, the default `onError` line and the span.
 *
 * @example
 * ```ts
 * const queue: QueueDescription = { creator: "createColivaraWorker", system: "bullmq", scope: "@colivara/webhooks-bullmq" };
 * ```
 */
export interface QueueDescription {
  /** The function users call to create the worker, named in `invalid_config` messages. */
  readonly creator: string;
  /** The span's `messaging.system`: `"bullmq"`, `"pg-boss"`, … */
  readonly system: string;
  /** The queue package's name: the tracer's scope, and (as `[colivara-webhooks-bullmq]`) the default `onError`'s prefix. */
  readonly scope: string;
}

/**
 * Backoff delays in milliseconds, after checks and defaults.
 *
 * @example
 * ```ts
 * const backoff: Backoff = { delayMs: 1000, maxDelayMs: 3_600_000 };
 * ```
 */
export interface Backoff {
  readonly delayMs: number;
  readonly maxDelayMs: number;
}

/** Runs per delivery when `attempts` is not set. */
export const DEFAULT_ATTEMPTS = 5;
/** The first retry's delay when `backoff.delayMs` is not set; also the wait while another run holds the claim. */
export const DEFAULT_BACKOFF_DELAY_MS = 1000;
/** The longest retry delay when `backoff.maxDelayMs` is not set: one hour. */
export const DEFAULT_BACKOFF_MAX_DELAY_MS: number = 60 * 60 * 1000;

/**
 * The delay before the run that follows `failures` failed runs: `delayMs · 2^(failures − 1)`,
 * at most `maxDelayMs`. A queue with its own backoff hook calls this from it.
 *
 * @example
 * ```ts
 * exponentialBackoff(3, { delayMs: 1000, maxDelayMs: 3_600_000 }); // 4000
 * ```
 */
export function exponentialBackoff(failures: number, backoff: Backoff): number {
  return Math.min(backoff.maxDelayMs, backoff.delayMs * 2 ** Math.max(0, failures - 1));
}

/** The options a job runner works with, after defaults and checks. */
export interface ResolvedJobRunnerOptions {
  readonly on: WebhookHandlers<unknown>;
  /** The `metadata` schema: the job's metadata as sent, checked and typed before the handler. */
  readonly metadata: MetadataCheck;
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly dedupe: DedupeStore | undefined;
  /** How long a job waits when another run holds the delivery's claim. */
  readonly inFlightDelayMs: number;
  /** `onError`, guarded: a failing reporter never fails a job. */
  readonly report: (error: unknown, webhook?: VerifiedWebhook) => void;
}

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

function checkHandlers(on: unknown, creator: string): WebhookHandlers<unknown> {
  if (on === null || typeof on !== "object") throw invalid(`${creator} needs on: { "upsert.success": fn, … }.`);
  return checkHandlerKeys(on) as WebhookHandlers<unknown>;
}

function checkOnError(
  onError: unknown,
  creator: string,
): ((error: unknown, context: ErrorContext) => void) | undefined {
  if (onError === undefined || typeof onError === "function") return onError as ReturnType<typeof checkOnError>;
  throw invalid(`${creator}'s onError must be a function (error, { webhook }) => void.`);
}

/** The default `onError`: one line, the delivery id escaped (the sender chose it). */
function defaultReporter(scope: string): (error: unknown, context: ErrorContext) => void {
  const prefix = `[${scope.replace(/^@/, "").replace("/", "-")}]`;
  return (error, context) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`${prefix} ${message}${context.webhook ? ` (delivery ${escapeText(context.webhook.id)})` : ""}`);
  };
}

/**
 * Checks the options common to every queue's worker and applies their defaults; a bad one
 * throws `invalid_config` naming it, when the worker is created.
 *
 * @example
 * ```ts
 * const resolved = resolveJobRunnerOptions(options, queue);
 * new Worker(name, processor, { settings: { backoffStrategy: (n) => exponentialBackoff(n, resolved.backoff) } });
 * ```
 */
export function resolveJobRunnerOptions<M>(
  options: JobRunnerOptions<M>,
  queue: QueueDescription,
): ResolvedJobRunnerOptions {
  const on = checkHandlers(options.on, queue.creator);
  const attempts = Math.floor(numberOption("attempts", options.attempts, { fallback: DEFAULT_ATTEMPTS }));
  const delayMs = numberOption("backoff.delayMs", options.backoff?.delayMs, {
    fallback: DEFAULT_BACKOFF_DELAY_MS,
    unit: "milliseconds",
  });
  const maxDelayMs = numberOption("backoff.maxDelayMs", options.backoff?.maxDelayMs, {
    fallback: DEFAULT_BACKOFF_MAX_DELAY_MS,
    unit: "milliseconds",
  });
  const onError = checkOnError(options.onError, queue.creator) ?? defaultReporter(queue.scope);
  const report = (error: unknown, webhook?: VerifiedWebhook) => {
    try {
      onError(error, { webhook });
    } catch {
      // A failing reporter must not fail the job.
    }
  };
  return {
    on,
    metadata: createMetadataCheck(checkMetadataSchema(options.metadata)),
    attempts,
    backoff: { delayMs, maxDelayMs },
    dedupe: options.dedupe,
    inFlightDelayMs: delayMs,
    report,
  };
}
