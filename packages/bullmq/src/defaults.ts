import { DEFAULT_DEDUPE_TTL_SECONDS } from "@colivara/webhooks";

/**
 * The queue name the examples use; any name works as long as the hand-off and the worker agree.
 *
 * @example
 * ```ts
 * const queue = new Queue(DEFAULT_QUEUE_NAME, { connection });
 * ```
 */
export const DEFAULT_QUEUE_NAME: string = "colivara-webhooks";

/**
 * How long a completed job (so its id) is kept: Svix retries a delivery for about 28 hours,
 * and a copy arriving after its job is gone would be processed again.
 */
export const DEFAULT_KEEP_COMPLETED_SECONDS: number = DEFAULT_DEDUPE_TTL_SECONDS;

/** The job name of a delivery an inline handler refused (kept for replay, never run by itself). */
export const DEAD_LETTER_JOB_NAME = "colivara.dead-letter";

/** The backoff type hand-off jobs carry: the worker's own strategy computes each delay. */
export const BACKOFF_TYPE = "colivara";

/**
 * The attempts ceiling written on every job. The worker stops earlier, at its own
 * `attempts`, so the retry policy lives with the handlers rather than in each job.
 */
export const JOB_ATTEMPTS_CEILING = 1000;

/** Inline dead letters are parked as delayed jobs that never come due (about 100 years). */
export const PARKED_DELAY_MS: number = 100 * 365 * 24 * 60 * 60 * 1000;
