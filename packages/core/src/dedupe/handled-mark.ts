import { WebhookVerificationError } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import { isThenable, type MaybePromise } from "../shared/maybe-async.js";

/**
 * How long a handled mark is retried before it is reported lost: 10 s, so a Redis restart
 * or a Cluster failover (a few seconds with `cluster-node-timeout` at 5 s) is ridden out and
 * the answer still reaches a sender that waits 15 s for it, as Svix does.
 */
export const MARK_RETRY_MS = 10_000;

/** The first pause between attempts; doubled each time up to {@link MARK_RETRY_MAX_PAUSE_MS}. */
const MARK_RETRY_FIRST_PAUSE_MS = 50;
const MARK_RETRY_MAX_PAUSE_MS = 1000;

/** The store calls a handled mark needs: the in-memory store answers at once, others later. */
export interface MarkingStore {
  complete(id: string, token: string): MaybePromise<void>;
  /** Pushes the claim's lease out again while it is still ours; stores without one skip it. */
  extend?: ((id: string, token: string) => MaybePromise<void>) | undefined;
}

/** One handled mark: the store, the delivery's dedupe key and claim token, and its id for the report. */
export interface HandledMark {
  readonly store: MarkingStore;
  readonly key: string;
  readonly token: string;
  readonly id: string;
  /** For tests: the bound, instead of {@link MARK_RETRY_MS}. */
  readonly boundMs?: number | undefined;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function lost(mark: HandledMark, boundMs: number, cause: unknown): WebhookVerificationError {
  return new WebhookVerificationError(
    "dedupe_unavailable",
    `The handled mark of delivery ${escapeText(mark.id)} could not be stored within ${boundMs / 1000} s; its handler ran and the answer stays a success, but a copy of it arriving after the claim's lease may run the handler again. Check the dedupe store (reachable, replicas in sync); the cause is attached.`,
    { cause },
  );
}

/** Calls a store method, turning a synchronous throw into a rejection. */
async function attempt(call: () => MaybePromise<void>): Promise<void> {
  await call();
}

async function retry(mark: HandledMark, first: unknown): Promise<void> {
  const boundMs = mark.boundMs ?? MARK_RETRY_MS;
  const deadline = Date.now() + boundMs;
  const { store, key, token } = mark;
  let cause = first;
  for (
    let wait = MARK_RETRY_FIRST_PAUSE_MS;
    Date.now() < deadline;
    wait = Math.min(wait * 2, MARK_RETRY_MAX_PAUSE_MS)
  ) {
    await pause(Math.min(wait, Math.max(0, deadline - Date.now())));
    // Keep the claim ours, so no copy can take the delivery while its mark is on its way.
    if (store.extend) await attempt(() => store.extend?.(key, token)).catch(() => undefined);
    try {
      await attempt(() => store.complete(key, token));
      return;
    } catch (error) {
      cause = error;
    }
  }
  throw lost(mark, boundMs, cause);
}

/**
 * Stores the handled mark of a delivery whose handler ran. A store that fails (Redis
 * restarting, a Cluster primary failing over, a replica not acknowledging) is retried, the
 * claim's lease extended between attempts, until it takes the mark or {@link MARK_RETRY_MS}
 * passed; then it rejects with `dedupe_unavailable` naming the delivery, so an operator
 * knows which one may run again. Synchronous (no promise) when the store takes it at once.
 *
 * @example
 * ```ts
 * await markHandled({ store, key: await dedupeKey(webhook.id), token: claim.token, id: webhook.id });
 * ```
 */
export function markHandled(mark: HandledMark): Promise<void> | undefined {
  let done: MaybePromise<void>;
  try {
    done = mark.store.complete(mark.key, mark.token);
  } catch (error) {
    return retry(mark, error);
  }
  if (!isThenable(done)) return undefined;
  return Promise.resolve(done).then(undefined, (error: unknown) => retry(mark, error));
}
