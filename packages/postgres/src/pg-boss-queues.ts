import type { Backoff } from "@colivara/webhooks/worker";
import type { PgBoss, QueueOptions } from "pg-boss";

/** What the worker sets on its queue, so every job inserted from then on follows it. */
export interface QueuePolicy {
  queue: string;
  deadLetterQueue: string;
  attempts: number;
  backoff: Backoff;
  expireInSeconds: number | undefined;
}

/**
 * pg-boss keeps retries on the job, copied from its queue when the job is inserted: the
 * queue gets the worker's policy. Runs after the first are `attempts − 1` retries, after
 * pg-boss's exponential backoff from `delayMs` (whole seconds; pg-boss adds up to as much
 * again as jitter), at most `maxDelayMs`; a job that fails for good goes to the dead letter queue.
 */
function retryPolicy(policy: QueuePolicy): QueueOptions {
  const options: QueueOptions = {
    retryLimit: policy.attempts - 1,
    retryDelay: Math.max(1, Math.ceil(policy.backoff.delayMs / 1000)),
    retryBackoff: true,
    retryDelayMax: Math.max(1, Math.ceil(policy.backoff.maxDelayMs / 1000)),
  };
  if (policy.expireInSeconds !== undefined) options.expireInSeconds = policy.expireInSeconds;
  return options;
}

/** Creates the dead letter queue and the queue if missing, and sets the worker's policy on the queue. */
export async function prepareQueues(boss: PgBoss, policy: QueuePolicy): Promise<void> {
  if (!(await boss.getQueue(policy.deadLetterQueue))) await boss.createQueue(policy.deadLetterQueue);
  const options = { ...retryPolicy(policy), deadLetter: policy.deadLetterQueue };
  if (await boss.getQueue(policy.queue)) await boss.updateQueue(policy.queue, options);
  else await boss.createQueue(policy.queue, options);
}
