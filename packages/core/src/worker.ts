/**
 * The queue-independent worker: what a queue package (`@colivara/webhooks-bullmq`, the
 * pg-boss one) translates into its own terms. The job's stored delivery, the per-job run
 * (claim, in-flight wait, metadata check, handler map, retry or final failure, release,
 * handled mark), the options every worker shares, the job's span linked to the request's
 * trace, and the dead letters' summaries and jobs-CLI text. A queue supplies only the job's
 * data, its attempts so far, how to retry later without spending an attempt, and how to fail
 * for good: see {@link createJobRunner} and {@link QueuedJob}.
 *
 * @packageDocumentation
 */

export {
  type DeadLetterAccess,
  type DeadLetterCommandResult,
  deadLetterLines,
  runDeadLetterCommand,
} from "./worker/dead-letter-command.js";
export {
  type DeadLetterDetails,
  type DeadLetterFacts,
  type DeadLetterSummary,
  deadLetterDetails,
  deadLetterSummary,
} from "./worker/dead-letters.js";
export { classifyFailure, type FinalFailure, type FinalReason } from "./worker/failure.js";
export { type ColivaraJobData, fromJobData, toJobData } from "./worker/job-data.js";
export { createJobRunner, type JobOutcome, type JobRunner, type QueuedJob } from "./worker/job-runner.js";
export {
  type Backoff,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_BACKOFF_MAX_DELAY_MS,
  exponentialBackoff,
  type JobRunnerOptions,
  type QueueDescription,
  type ResolvedJobRunnerOptions,
  resolveJobRunnerOptions,
} from "./worker/options.js";
export { currentTraceContext, type SpanSource } from "./worker/trace.js";
