import type { ColivaraJobData, JobOutcome, JobRunner, QueuedJob } from "@colivara/webhooks/worker";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";

/**
 * A BullMQ job in the worker core's terms: waiting for another run's claim moves the job to
 * delayed (no attempt spent), and a final failure is BullMQ's UnrecoverableError, which
 * sends the job to the failed list (the dead letters) with no further retry.
 */
function queuedJob(job: Job<ColivaraJobData>, token: string | undefined): QueuedJob {
  return {
    data: job.data,
    attemptsMade: job.attemptsMade,
    async retryLater(delayMs) {
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    },
    failForGood(failure) {
      const unrecoverable = new UnrecoverableError(failure.message);
      // The mismatch itself (its code and issues) rides along for the app's own "failed" listeners.
      if (failure.reason === "invalid_metadata") unrecoverable.cause = failure.error;
      return unrecoverable;
    },
  };
}

/** The BullMQ processor: each job through the worker core's run. */
export function createProcessor(runner: JobRunner): (job: Job<ColivaraJobData>, token?: string) => Promise<JobOutcome> {
  return (job: Job<ColivaraJobData>, token?: string) => runner.run(queuedJob(job, token));
}
