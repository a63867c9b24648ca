import { WebhookVerificationError } from "@colivara/webhooks";

const FAILED_START =
  "The queue's connection failed while it started, and BullMQ never starts a queue twice: every delivery" +
  " gets this 503 until the process restarts. Restart it, and await queue.waitUntilReady() before serving" +
  " so that a failed start stops the process instead.";

/**
 * The queue could not store the delivery: the adapter answers 503 and the sender retries.
 * `startFailed` adds that retries cannot succeed until the process restarts.
 */
export function handOffUnavailable(cause: unknown, startFailed = false): WebhookVerificationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  let message = `The BullMQ queue did not store the delivery: ${reason}`;
  if (startFailed) message += `${/[.!?]$/.test(reason) ? "" : "."} ${FAILED_START}`;
  return new WebhookVerificationError("handoff_unavailable", message, { cause });
}

/** Configuration errors, thrown when the hand-off or worker is created. */
export function invalidConfig(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}
