import { isPermanentFailure } from "../pipeline/hand-off.js";
import { isInvalidMetadata } from "../verify/metadata-check.js";

/**
 * Why a job fails for good: the handler threw `permanentFailure()`, the metadata schema
 * refused the delivery (a retry cannot change a stored document's metadata), or the run was
 * the last of `attempts`.
 */
export type FinalReason = "permanent_failure" | "invalid_metadata" | "attempts_exhausted";

/**
 * A failure no retry will follow: what a queue turns into its own "fail for good" (BullMQ's
 * `UnrecoverableError`), so that the job becomes a dead letter.
 *
 * @example
 * ```ts
 * const failForGood = (failure: FinalFailure) => new UnrecoverableError(failure.message);
 * ```
 */
export interface FinalFailure {
  readonly reason: FinalReason;
  /**
   * The dead letter's reason: `permanent_failure: …`, `invalid_metadata: …` or
   * `failed after 5 attempts: …`. Stored as it is; escaped where it is printed.
   */
  readonly message: string;
  /** What the handler or the metadata check threw. */
  readonly error: unknown;
}

/**
 * Whether a failed run is final, and why: undefined means the queue retries the job (after
 * its backoff, spending an attempt). `attemptsMade` counts the runs before this one.
 *
 * @example
 * ```ts
 * classifyFailure(new Error("database down"), 0, 5); // undefined: retried
 * classifyFailure(new Error("database down"), 4, 5)?.message; // "failed after 5 attempts: database down"
 * ```
 */
export function classifyFailure(error: unknown, attemptsMade: number, attempts: number): FinalFailure | undefined {
  if (isPermanentFailure(error)) {
    return { reason: "permanent_failure", message: `permanent_failure: ${error.message}`, error };
  }
  if (isInvalidMetadata(error))
    return { reason: "invalid_metadata", message: `invalid_metadata: ${error.message}`, error };
  if (attemptsMade + 1 < attempts) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  return { reason: "attempts_exhausted", message: `failed after ${attempts} attempts: ${message}`, error };
}
