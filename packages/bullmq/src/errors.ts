import { WebhookVerificationError } from "@colivara/webhooks";

/** The queue could not store the delivery: the adapter answers 503 and the sender retries. */
export function handOffUnavailable(cause: unknown): WebhookVerificationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WebhookVerificationError("handoff_unavailable", `The BullMQ queue did not store the delivery: ${reason}`, {
    cause,
  });
}

/** Configuration errors, thrown when the hand-off or worker is created. */
export function invalidConfig(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}
