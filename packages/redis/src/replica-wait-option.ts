import { numberOption } from "@colivara/webhooks/adapter";
import { invalid, type ReplicaWait } from "./client-commands.js";

/** The default longest `WAIT` of `waitForReplicas`. */
const DEFAULT_WAIT_TIMEOUT_MS = 500;

/**
 * The `waitForReplicas` and `waitTimeoutMs` options, checked: `undefined` when the option is
 * off, else the `WAIT numreplicas timeout` to issue after a write. Shared by `redisStore` and
 * the BullMQ hand-off, so both read the setting the same way. Bad values throw `invalid_config`.
 *
 * @example
 * ```ts
 * const wait = replicaWaitOption(options.waitForReplicas, options.waitTimeoutMs);
 * if (wait) await client.wait(wait.replicas, wait.timeoutMs);
 * ```
 */
export function replicaWaitOption(waitForReplicas: unknown, waitTimeoutMs: unknown): ReplicaWait | undefined {
  if (waitForReplicas === undefined) {
    if (waitTimeoutMs !== undefined) throw invalid("waitTimeoutMs only applies with waitForReplicas.");
    return undefined;
  }
  if (typeof waitForReplicas !== "number" || !Number.isSafeInteger(waitForReplicas) || waitForReplicas < 1) {
    throw invalid(`waitForReplicas must be a whole number of replicas, 1 or more, got ${String(waitForReplicas)}.`);
  }
  const timeoutMs = Math.ceil(
    numberOption("waitTimeoutMs", waitTimeoutMs, { fallback: DEFAULT_WAIT_TIMEOUT_MS, unit: "milliseconds" }),
  );
  if (!Number.isSafeInteger(timeoutMs)) throw invalid(`waitTimeoutMs is too large, got ${String(waitTimeoutMs)}.`);
  return { replicas: waitForReplicas, timeoutMs };
}
