import type { DedupeClaim, DedupeStore } from "../dedupe/dedupe.js";
import { dedupeKey } from "../dedupe/dedupe-key.js";
import { markHandled } from "../dedupe/handled-mark.js";
import type { VerifiedWebhook } from "../shared/events.js";
import { classifyFailure, type FinalFailure } from "./failure.js";
import { type ColivaraJobData, fromJobData } from "./job-data.js";
import {
  type Backoff,
  exponentialBackoff,
  type JobRunnerOptions,
  type QueueDescription,
  type ResolvedJobRunnerOptions,
  resolveJobRunnerOptions,
} from "./options.js";
import { inJobSpan } from "./trace.js";

/**
 * What a run resolves when it succeeds: the handler ran (or the event type has no handler),
 * or the dedupe store says an earlier run already handled the delivery.
 */
export type JobOutcome = "handled" | "already_handled";

/**
 * One job, as a queue hands it to {@link JobRunner.run}: its data, how many runs it had, and
 * the two things only the queue knows how to do.
 *
 * @example
 * ```ts
 * // BullMQ
 * const queued: QueuedJob = {
 *   data: job.data,
 *   attemptsMade: job.attemptsMade,
 *   async retryLater(delayMs) {
 *     await job.moveToDelayed(Date.now() + delayMs, token);
 *     throw new DelayedError();
 *   },
 *   failForGood: (failure) => new UnrecoverableError(failure.message),
 * };
 * ```
 */
export interface QueuedJob<Wait = never> {
  /** The job's data as the hand-off stored it ({@link toJobData}). */
  readonly data: ColivaraJobData;
  /** Runs of this job that already failed (0 on its first run). */
  readonly attemptsMade: number;
  /**
   * Another run holds the delivery's claim (a stalled worker still alive, or one that died
   * and whose lease has not run out): run the job again in `delayMs`, without spending an
   * attempt. What it resolves (or rejects) is what `run` resolves (or rejects); BullMQ moves
   * the job to delayed and throws `DelayedError`. Its own errors are the queue's to report.
   */
  retryLater(delayMs: number): Promise<Wait>;
  /**
   * The error to throw so the queue fails the job for good, no retry, keeping it as a dead
   * letter whose reason is `failure.message` (BullMQ: `new UnrecoverableError(failure.message)`).
   */
  failForGood(failure: FinalFailure): unknown;
}

/**
 * Runs queued deliveries through a handler map: what every queue's worker shares.
 *
 * @example
 * ```ts
 * const runner = createJobRunner(options, queue);
 * const processor = (job: Job<ColivaraJobData>, token?: string) => runner.run(queuedJob(job, token));
 * ```
 */
export interface JobRunner {
  /** Runs per delivery, the first included, before it becomes a dead letter. */
  readonly attempts: number;
  readonly backoff: Backoff;
  /** {@link exponentialBackoff} with this runner's `backoff`: the delay after `failures` failed runs. */
  backoffDelay(failures: number): number;
  /**
   * One run of a job, in a consumer span linked to the request that handed it off (when the
   * app has OpenTelemetry): claim (`"already_handled"` if done; `retryLater` if in flight),
   * the metadata check, the handler, the handled mark. A failure releases the claim (so a
   * replay runs the handler again), is reported through `onError`, and rejects with the
   * handler's error (retry) or with `failForGood`'s (final: permanent, invalid metadata, or
   * the last attempt).
   */
  run<Wait = never>(job: QueuedJob<Wait>): Promise<JobOutcome | Wait>;
  /**
   * Reports a job failure the queue saw (a stalled job failed by the queue, a `retryLater`
   * that threw) through `onError`, unless `run` already reported it: pass the same `data`
   * object that job's run was given.
   */
  reportFailure(error: unknown, data: ColivaraJobData): void;
}

type AnyHandler = (event: unknown, webhook: VerifiedWebhook) => unknown;

async function dispatch(options: ResolvedJobRunnerOptions, webhook: VerifiedWebhook): Promise<void> {
  const handler = options.on[webhook.event.type] as AnyHandler | undefined;
  if (handler === undefined) return;
  const typed = await options.metadata(webhook);
  await handler(typed.event, typed);
}

interface Held {
  key: string;
  claim: DedupeClaim | undefined;
}

async function claimOf(dedupe: DedupeStore | undefined, id: string): Promise<Held> {
  if (!dedupe) return { key: id, claim: undefined };
  // Stores are keyed as the adapters key them: bounded, whatever the id's length.
  const key = await dedupeKey(id);
  return { key, claim: await dedupe.claim(key) };
}

/**
 * The job runner of a queue's worker: options checked and defaulted at once (a bad one
 * throws `invalid_config` naming it), then {@link JobRunner.run} for each job.
 *
 * @example
 * ```ts
 * import { DelayedError, UnrecoverableError, Worker } from "bullmq";
 * import { createJobRunner } from "@colivara/webhooks/worker";
 *
 * const runner = createJobRunner(
 *   { on: { "upsert.success": async (event) => reindex(event.id) }, attempts: 5 },
 *   { creator: "createColivaraWorker", system: "bullmq", scope: "@colivara/webhooks-bullmq" },
 * );
 * const worker = new Worker("colivara-webhooks", (job, token) =>
 *   runner.run({
 *     data: job.data,
 *     attemptsMade: job.attemptsMade,
 *     async retryLater(delayMs) {
 *       await job.moveToDelayed(Date.now() + delayMs, token);
 *       throw new DelayedError();
 *     },
 *     failForGood: (failure) => new UnrecoverableError(failure.message),
 *   }),
 * );
 * worker.on("failed", (job, error) => job && runner.reportFailure(error, job.data));
 * ```
 */
export function createJobRunner<M>(options: JobRunnerOptions<M>, queue: QueueDescription): JobRunner {
  const resolved = resolveJobRunnerOptions(options, queue);
  const { dedupe, report } = resolved;
  // The data of runs whose failure was reported here, so the queue's own failure event does not report it again.
  const reported = new WeakSet<ColivaraJobData>();
  const failed = (data: ColivaraJobData, webhook: VerifiedWebhook, shown: unknown) => {
    reported.add(data);
    report(shown, webhook);
  };

  async function runOnce<Wait>(job: QueuedJob<Wait>): Promise<JobOutcome | Wait> {
    const webhook = fromJobData(job.data);
    let held: Held;
    try {
      held = await claimOf(dedupe, webhook.id);
    } catch (error) {
      failed(job.data, webhook, error);
      throw error;
    }
    const { key, claim } = held;
    if (claim?.status === "done") return "already_handled";
    if (claim?.status === "in_flight") return job.retryLater(resolved.inFlightDelayMs);
    try {
      await dispatch(resolved, webhook);
    } catch (error) {
      // Released on every failure, permanent ones too, so a replay runs the handler again.
      if (dedupe && claim?.token) await dedupe.release(key, claim.token).catch((e) => report(e, webhook));
      const final = classifyFailure(error, job.attemptsMade, resolved.attempts);
      const thrown = final ? job.failForGood(final) : error;
      // A metadata mismatch is reported as itself: code invalid_metadata, with the schema's issues.
      failed(job.data, webhook, final?.reason === "invalid_metadata" ? error : thrown);
      throw thrown;
    }
    if (dedupe && claim?.token) {
      // The handler's work is done: failing the job now would run it a second time.
      // Retried through a store restart or failover; past its bound, reported with the delivery id.
      await markHandled({ store: dedupe, key, token: claim.token, id: webhook.id })?.catch((error) =>
        report(error, webhook),
      );
    }
    return "handled";
  }

  return {
    attempts: resolved.attempts,
    backoff: resolved.backoff,
    backoffDelay: (failures) => exponentialBackoff(failures, resolved.backoff),
    run: (job) => inJobSpan(queue, job.data, () => runOnce(job)),
    reportFailure(error, data) {
      if (reported.delete(data)) return;
      report(error, fromJobData(data));
    },
  };
}
