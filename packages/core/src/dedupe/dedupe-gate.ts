import { responses, type WebhookResponse } from "../http/responses.js";
import type { DeliveryOutcome } from "../record/delivery-record.js";
import type { ErrorContext, VerifiedWebhook } from "../shared/events.js";
import { isThenable, type MaybePromise } from "../shared/maybe-async.js";
import { type DedupeClaim, type DedupeStore, syncStoreOf } from "./dedupe.js";
import { dedupeKey } from "./dedupe-key.js";
import { markHandled } from "./handled-mark.js";

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

type Report = (error: unknown, context: ErrorContext) => void;

// Without the store exactly-once cannot be promised: let the sender retry later.
function storeUnavailable(error: unknown, webhook: VerifiedWebhook, report: Report): GateDecision {
  report(error, { webhook });
  return { kind: "answer", outcome: "store_unavailable", response: responses.dedupeUnavailable() };
}

/** A claim's answer, or the way on with a settle that runs once. */
function decide(claim: DedupeClaim, settleClaim: (token: string, handled: boolean) => Promise<void> | undefined) {
  if (claim.status === "done")
    return { kind: "answer", outcome: "duplicate", response: responses.duplicate() } as const;
  if (claim.status === "in_flight") {
    return { kind: "answer", outcome: "in_progress", response: responses.inProgress() } as const;
  }
  const token = claim.token;
  if (token === undefined) return PROCEED_UNTRACKED;
  let settled = false;
  const settle: SettleClaim = (handled) => {
    if (settled) return undefined;
    settled = true;
    return settleClaim(token, handled);
  };
  return { kind: "proceed", settle } as const;
}

/** A store's methods as the gate calls them: the in-memory store answers at once, others later. */
interface GateStore {
  claim(id: string): MaybePromise<DedupeClaim>;
  complete(id: string, token: string): MaybePromise<void>;
  release(id: string, token: string): MaybePromise<void>;
  extend?: ((id: string, token: string) => MaybePromise<void>) | undefined;
}

/** One delivery at the gate: the store, where failures go, the delivery and its dedupe key. */
interface GateCall {
  readonly store: GateStore;
  readonly report: Report;
  readonly webhook: VerifiedWebhook;
  readonly key: string;
}

/**
 * Completes (retried within a bound: see markHandled) or releases the claim; a promise only
 * when the store's answer is one.
 */
function settleWith({ store, report, webhook, key }: GateCall, token: string, handled: boolean) {
  // The answer is already decided; an unreleased claim expires with its lease.
  const failed = (error: unknown) => report(error, { webhook });
  let done: MaybePromise<void>;
  try {
    done = handled ? markHandled({ store, key, token, id: webhook.id }) : store.release(key, token);
  } catch (error) {
    failed(error);
    return undefined;
  }
  return isThenable(done) ? Promise.resolve(done).then(undefined, failed) : undefined;
}

/** Claims the delivery's key and decides; synchronous when the store answers at once. */
function claimKey(call: GateCall) {
  const { store, report, webhook, key } = call;
  const onClaim = (claim: DedupeClaim) => decide(claim, (token, handled) => settleWith(call, token, handled));
  let claim: MaybePromise<DedupeClaim>;
  try {
    claim = store.claim(key);
  } catch (error) {
    return storeUnavailable(error, webhook, report);
  }
  if (!isThenable(claim)) return onClaim(claim);
  return Promise.resolve(claim).then(onClaim, (error: unknown) => storeUnavailable(error, webhook, report));
}

/**
 * The dedupe claim in front of the user's code. Without a store, or with the in-memory one,
 * a delivery proceeds synchronously: no promise on the hot path. Every store is called with
 * the delivery's {@link dedupeKey}, computed once, so an id of any length costs a store a
 * bounded key; the user's code still sees the id as sent.
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
  report: Report,
): (webhook: VerifiedWebhook) => GateDecision | Promise<GateDecision> {
  if (store === undefined) return () => PROCEED_UNTRACKED;
  const tracked: GateStore = syncStoreOf(store) ?? store;
  return (webhook) => {
    let key: MaybePromise<string>;
    try {
      key = dedupeKey(webhook.id);
    } /* Stryker disable next-line BlockStatement: dedupeKey never throws for a string id (Web Crypto rejects, handled below) */ catch (error) {
      return storeUnavailable(error, webhook, report);
    }
    if (!isThenable(key)) return claimKey({ store: tracked, report, webhook, key });
    // Web Crypto digests a long id asynchronously; ordinary ids never get here.
    return Promise.resolve(key).then(
      (digest) => claimKey({ store: tracked, report, webhook, key: digest }),
      (error: unknown) => storeUnavailable(error, webhook, report),
    );
  };
}
