// A queue of a few lines that drives the worker core's per-job interface (QueuedJob) the way
// BullMQ and pg-boss do: a retry spends an attempt, a wait for another run's claim does not,
// a final failure keeps the job as a dead letter, and a replay sets its attempts back to 0.
import type { VerifiedWebhook } from "../src/index.js";
import { type ColivaraJobData, type FinalFailure, type JobRunner, type QueuedJob, toJobData } from "../src/worker.js";

export type JobState = "waiting" | "delayed" | "failed" | "completed";

export interface MemoryJob {
  data: ColivaraJobData;
  attemptsMade: number;
  state: JobState;
  /** The dead letter's reason, once failed for good. */
  failedReason?: string | undefined;
  /** The delay `retryLater` asked for. */
  delayMs?: number | undefined;
  /** What the last run resolved or threw. */
  last?: unknown;
}

/** Thrown by `retryLater`, as BullMQ's DelayedError is. */
export class Rescheduled extends Error {}

/** Returned by `failForGood`, as BullMQ's UnrecoverableError is. */
export class FailedForGood extends Error {
  readonly failure: FinalFailure;
  constructor(failure: FinalFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

export class MemoryQueue {
  readonly jobs: Map<string, MemoryJob> = new Map();
  /** Failures the queue saw, as BullMQ's "failed" event gives them. */
  readonly failures: { error: unknown; data: ColivaraJobData }[] = [];

  add(webhook: VerifiedWebhook, traceContext?: Record<string, string>): MemoryJob {
    const job: MemoryJob = { data: toJobData(webhook, traceContext), attemptsMade: 0, state: "waiting" };
    this.jobs.set(webhook.id, job);
    return job;
  }

  /** One run of the job, through the runner; the job's state afterwards. */
  async work(runner: JobRunner, id: string): Promise<MemoryJob> {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    const queued: QueuedJob = {
      data: job.data,
      attemptsMade: job.attemptsMade,
      async retryLater(delayMs) {
        job.state = "delayed";
        job.delayMs = delayMs;
        throw new Rescheduled();
      },
      failForGood: (failure) => new FailedForGood(failure),
    };
    try {
      job.last = await runner.run(queued);
      job.state = "completed";
    } catch (error) {
      job.last = error;
      if (error instanceof Rescheduled) return job;
      job.attemptsMade += 1;
      this.failures.push({ error, data: job.data });
      if (error instanceof FailedForGood) {
        job.state = "failed";
        job.failedReason = error.message;
      } else {
        job.state = "waiting";
      }
    }
    return job;
  }

  /** A dead letter back to waiting, its attempts reset, as `replayDeadLetter` does. */
  replay(id: string): void {
    const job = this.jobs.get(id);
    if (job?.state !== "failed") throw new Error(`${id} is not a dead letter`);
    job.state = "waiting";
    job.attemptsMade = 0;
    job.failedReason = undefined;
  }
}
