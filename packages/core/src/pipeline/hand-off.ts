import { WebhookVerificationError } from "../shared/errors.js";
import type { VerifiedWebhook } from "../shared/events.js";

/**
 * What travels with a handed-off delivery besides the delivery itself.
 *
 * @example
 * ```ts
 * const context: HandOffContext = { traceContext: { traceparent: "00-…-01" } };
 * ```
 */
export interface HandOffContext {
  /** W3C trace context (`traceparent`, `tracestate`) of the request, when OpenTelemetry is active. */
  traceContext?: Record<string, string> | undefined;
}

/**
 * A durable store a verified delivery is handed to instead of an inline handler: the
 * adapter answers 202 only once `enqueue` resolved, so an acknowledged delivery is never
 * lost. `@colivara/webhooks-bullmq` provides one.
 *
 * @example
 * ```ts
 * const handOff: HandOff = {
 *   async enqueue(webhook) {
 *     const added = await jobs.addIfAbsent(webhook.id, webhook);
 *     return added ? "stored" : "duplicate";
 *   },
 * };
 * ```
 */
export interface HandOff {
  /**
   * Stores the delivery durably, keyed by `webhook.id`. Resolves `"stored"` (answer 202) or
   * `"duplicate"` when that id was stored before (answer 200 `{"duplicate":true}`); rejects
   * when the store is unreachable (answer 503 `handoff_unavailable`, so the sender retries).
   */
  enqueue(webhook: VerifiedWebhook, context: HandOffContext): Promise<"stored" | "duplicate">;
}

/**
 * Keeps a delivery that a handler refused for good ({@link permanentFailure}), so that
 * nothing is dropped silently when the sender is told to stop retrying. If it throws, the
 * delivery is answered 500 instead and the sender retries.
 *
 * @example
 * ```ts
 * const deadLetter: DeadLetter = (webhook, error) => db.insert("dead_letters", { id: webhook.id, error: String(error) });
 * ```
 */
export type DeadLetter = (webhook: VerifiedWebhook, error: WebhookVerificationError) => unknown;

/**
 * The error a handler throws to say a delivery can never succeed (a document your app no
 * longer knows, a tenant that was deleted): the pack answers 422 with
 * `webhook-delivery: abort-message`, which tells Svix to stop retrying it, and keeps it
 * through `deadLetter`. Any other throw answers 500 and the delivery is retried.
 *
 * @example
 * ```ts
 * "upsert.success": async (event) => {
 *   const tenant = await tenants.find(event.metadata.tenant);
 *   if (!tenant) throw permanentFailure(`tenant ${event.metadata.tenant} was deleted`);
 * }
 * ```
 */
export function permanentFailure(reason: string, options?: { cause?: unknown }): WebhookVerificationError {
  return new WebhookVerificationError("permanent_failure", reason, options);
}

/** True for the error of {@link permanentFailure}, also from another copy of the package. */
export function isPermanentFailure(error: unknown): error is WebhookVerificationError {
  return (error as { code?: unknown } | null)?.code === "permanent_failure" && error instanceof Error;
}
