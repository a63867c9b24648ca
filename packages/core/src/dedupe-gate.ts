import type { DedupeStore } from "./dedupe.js";
import type { DeliveryOutcome } from "./delivery-record.js";
import type { VerifiedWebhook } from "./events.js";
import type { ErrorContext } from "./options.js";
import { responses, type WebhookResponse } from "./responses.js";

/**
 * Tells the dedupe store how the delivery ended, once: `true` remembers the id as handled;
 * `false` gives the claim back so the sender's retry runs the handler.
 */
export type SettleClaim = (handled: boolean) => Promise<void> | undefined;

/**
 * What the gate decided for a verified delivery: answer now (a copy, in flight, store
 * down), or proceed to the user's code and settle the claim once it answered.
 */
export type GateDecision =
  | { readonly kind: "answer"; readonly outcome: DeliveryOutcome; readonly response: WebhookResponse }
  | { readonly kind: "proceed"; readonly settle: SettleClaim };

const NOTHING_TO_SETTLE: SettleClaim = () => undefined;
const PROCEED_UNTRACKED: GateDecision = { kind: "proceed", settle: NOTHING_TO_SETTLE };

/**
 * The dedupe claim in front of the user's code. Without a store every delivery proceeds
 * synchronously: no promise on the hot path.
 *
 * @example
 * ```ts
 * const gate = createDedupeGate(memoryStore(), console.error);
 * const decision = await gate(webhook);
 * if (decision.kind === "answer") return send(decision.response);
 * ```
 */
export function createDedupeGate(
  store: DedupeStore | undefined,
  report: (error: unknown, context: ErrorContext) => void,
): (webhook: VerifiedWebhook) => GateDecision | Promise<GateDecision> {
  if (store === undefined) return () => PROCEED_UNTRACKED;
  const tracked = store;

  async function settle(webhook: VerifiedWebhook, token: string, handled: boolean): Promise<void> {
    try {
      if (handled) await tracked.complete(webhook.id, token);
      else await tracked.release(webhook.id, token);
    } catch (error) {
      // The answer is already decided; an unreleased claim expires with its lease.
      report(error, { webhook });
    }
  }

  return async function gate(webhook) {
    let claim: Awaited<ReturnType<DedupeStore["claim"]>>;
    try {
      claim = await tracked.claim(webhook.id);
    } catch (error) {
      report(error, { webhook });
      // Without the store exactly-once cannot be promised: let the sender retry later.
      return { kind: "answer", outcome: "store_unavailable", response: responses.dedupeUnavailable() };
    }
    if (claim.status === "done") return { kind: "answer", outcome: "duplicate", response: responses.duplicate() };
    if (claim.status === "in_flight")
      return { kind: "answer", outcome: "in_progress", response: responses.inProgress() };
    const token = claim.token;
    if (token === undefined) return PROCEED_UNTRACKED;
    let settled = false;
    return {
      kind: "proceed",
      settle(handled) {
        if (settled) return undefined;
        settled = true;
        return settle(webhook, token, handled);
      },
    };
  };
}
