import { WebhookVerificationError } from "../shared/errors.js";
import { numberOption } from "../shared/number-option.js";
import { DEDUPE_KEY_MAX_BYTES } from "./dedupe-key.js";

/**
 * What a claim found: `claimed` (new, run the handler), `in_flight` (another attempt
 * holds the lease: answer 409 so the sender retries later) or `done` (already handled).
 *
 * @example
 * ```ts
 * const { status, token } = await store.claim("msg_2b...");
 * ```
 */
export interface DedupeClaim {
  status: "claimed" | "in_flight" | "done";
  /** Proves ownership of a `claimed` lease to `complete` and `release`. */
  token?: string | undefined;
}

/**
 * Remembers delivery ids so each is handled once. Implementations must make `claim`
 * atomic: of concurrent claims for one id, exactly one gets `claimed`.
 *
 * The adapters (and the BullMQ worker) call a store with the delivery's `dedupeKey(id)`
 * (from `@colivara/webhooks/adapter`), never the raw `svix-id`: the id itself when it is
 * at most 256 UTF-8 bytes (every real Svix id), else `~sha256-` and its hex digest. A store
 * of your own therefore never sees a key longer than 256 bytes, however long a signed id is.
 *
 * @example
 * ```ts
 * const store: DedupeStore = memoryStore({ ttlSeconds: 3600 });
 * ```
 */
export interface DedupeStore {
  /** Claims `id` for one lease, or reports it in flight or done. */
  claim(id: string): Promise<DedupeClaim>;
  /** Marks a claimed id as handled, remembered for the store's TTL. */
  complete(id: string, token: string): Promise<void>;
  /** Gives a claimed id back (the handler failed) so the retry is processed. */
  release(id: string, token: string): Promise<void>;
  /**
   * Optional: starts a claimed id's lease again, while the claim is still `token`'s (else
   * does nothing). Called between attempts of a handled mark that failed, so no copy can
   * claim the delivery while its mark is being retried.
   */
  extend?(id: string, token: string): Promise<void>;
}

/**
 * A store that answers at once, as the in-memory one does: the dedupe gate calls it without
 * a promise per step (a promise per claim and settle is a measurable share of a delivery).
 * Internal: reached through {@link SYNC_STORE}, so `DedupeStore` stays promise-based.
 */
export interface SyncDedupeStore {
  claim(id: string): DedupeClaim;
  complete(id: string, token: string): void;
  release(id: string, token: string): void;
  extend(id: string, token: string): void;
}

/** Where {@link memoryStore} keeps its {@link SyncDedupeStore}. */
export const SYNC_STORE: unique symbol = Symbol("colivara.syncDedupeStore");

/** The store's synchronous form, when it has one. */
export function syncStoreOf(store: DedupeStore): SyncDedupeStore | undefined {
  return (store as { [SYNC_STORE]?: SyncDedupeStore })[SYNC_STORE];
}

/**
 * Options of {@link memoryStore}; every store takes the same `ttlSeconds` and `leaseSeconds`.
 *
 * @example
 * ```ts
 * const options: MemoryStoreOptions = { maxEntries: 50_000 };
 * ```
 */
export interface MemoryStoreOptions {
  /** How long handled ids are remembered. Default 28 hours (Svix's retry horizon). */
  ttlSeconds?: number | undefined;
  /** How long a claim lives if its process dies mid-handler. Default 60. */
  leaseSeconds?: number | undefined;
  /**
   * Most ids kept, handled and in flight together. Past it the oldest handled ids are
   * forgotten (a copy arriving later runs again); a claim in flight never is: with only
   * those left, a new delivery answers 503 and is retried. Keep it well above the
   * deliveries your app handles at once. Default 10,000.
   */
  maxEntries?: number | undefined;
  /**
   * Most memory the ids may hold, in bytes (each id counts its length plus a fixed
   * {@link DEDUPE_ENTRY_OVERHEAD_BYTES}), forgotten as for `maxEntries`. Ids reach the store
   * as their dedupe key, at most 256 bytes (a longer id is replaced by its SHA-256 digest),
   * so 10,000 entries need at most about 4 MiB. Default 8 MiB; at least 416 (one key).
   */
  maxBytes?: number | undefined;
  /** Clock in milliseconds; for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** Svix retries for about 28 hours; remembering ids that long catches every retry. */
export const DEFAULT_DEDUPE_TTL_SECONDS: number = 28 * 60 * 60;
/**
 * A claim whose process died mid-handler frees itself after a minute: long enough for a
 * handler that answers within Svix's 15 s, short enough that the next retry runs it.
 */
export const DEFAULT_LEASE_SECONDS: number = 60;
/** Ids the memory store keeps before it forgets the oldest. */
export const DEFAULT_MAX_ENTRIES: number = 10_000;
/** 8 MiB: see {@link MemoryStoreOptions.maxBytes}. */
export const DEFAULT_MAX_BYTES: number = 8 * 1024 * 1024;
/**
 * What one remembered id costs besides its characters (the entry, its token and its slot in
 * the Map), measured on Node 20: about 150 bytes per short id.
 */
export const DEDUPE_ENTRY_OVERHEAD_BYTES = 160;

// Tokens only need to be unique within this process's memory store.
let counter = 0;
function newToken(): string {
  // Stryker disable next-line ArithmeticOperator: counting down (counter - 1) gives distinct tokens as well; tokens are opaque
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return counter.toString(36);
}

/** A claim in flight: its owner's token and when its lease runs out. */
interface Lease {
  token: string;
  expiresAt: number;
}

const IN_FLIGHT: DedupeClaim = Object.freeze({ status: "in_flight" });
const DONE: DedupeClaim = Object.freeze({ status: "done" });

/** The smallest `maxBytes` that holds one entry of the longest key the dedupe gate passes. */
const MIN_MAX_BYTES = DEDUPE_KEY_MAX_BYTES + DEDUPE_ENTRY_OVERHEAD_BYTES;

// The options checked and in the units the store counts in (bad values throw at start-up).
function memoryStoreLimits(options: MemoryStoreOptions) {
  const seconds = (name: "ttlSeconds" | "leaseSeconds", fallback: number) =>
    numberOption(name, options[name], { fallback, unit: "seconds" }) * 1000;
  const limits = {
    ttlMs: seconds("ttlSeconds", DEFAULT_DEDUPE_TTL_SECONDS),
    leaseMs: seconds("leaseSeconds", DEFAULT_LEASE_SECONDS),
    maxEntries: Math.floor(numberOption("maxEntries", options.maxEntries, { fallback: DEFAULT_MAX_ENTRIES })),
    maxBytes: Math.floor(numberOption("maxBytes", options.maxBytes, { fallback: DEFAULT_MAX_BYTES, unit: "bytes" })),
  };
  // A store that cannot hold one id would refuse every delivery.
  if (limits.maxEntries < 1) throw invalidLimit(`maxEntries must be at least 1, got ${String(options.maxEntries)}.`);
  if (limits.maxBytes < MIN_MAX_BYTES) {
    throw invalidLimit(
      `maxBytes must be at least ${MIN_MAX_BYTES} (one id of ${DEDUPE_KEY_MAX_BYTES} bytes), got ${String(options.maxBytes)}.`,
    );
  }
  return limits;
}

function invalidLimit(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

type Limits = ReturnType<typeof memoryStoreLimits>;

/** Why a claim (or a handled mark) found no room, and what to raise. */
function storeFull(limits: Limits, entries: number, bytes: number, need: number, what: "claim" | "mark") {
  if (need > limits.maxBytes) {
    return new WebhookVerificationError(
      "dedupe_unavailable",
      `This id takes ${need} bytes, more than the in-memory dedupe store's maxBytes (${limits.maxBytes}). The adapters pass ids through dedupeKey() from @colivara/webhooks/adapter (at most ${DEDUPE_KEY_MAX_BYTES} bytes): do the same when you call the store yourself.`,
    );
  }
  const byCount = entries >= limits.maxEntries;
  const limit = byCount
    ? `all ${entries} ids it may keep (maxEntries ${limits.maxEntries})`
    : `${bytes} of its ${limits.maxBytes} bytes (maxBytes)`;
  const consequence =
    what === "claim"
      ? "so this delivery was refused (503) and the sender will retry it later: forgetting a claim in flight would let its retry run the handler a second time, at once"
      : "so the handled mark of this delivery could not be kept: a copy of it arriving later would run the handler again";
  return new WebhookVerificationError(
    "dedupe_unavailable",
    `The in-memory dedupe store is full: ${limit} belong to deliveries still in flight (being handled), ${consequence}. Raise memoryStore({ ${byCount ? "maxEntries" : "maxBytes"} }) above what the deliveries your app handles at once need, or use a shared store: redisStore from @colivara/webhooks-redis or postgresStore from @colivara/webhooks-postgres.`,
  );
}

/**
 * The default store: in process memory, bounded. Enough for an app running one instance;
 * use `redisStore` (`@colivara/webhooks-redis`) or `postgresStore` (`@colivara/webhooks-postgres`) when several instances share traffic.
 *
 * Past `maxEntries` or `maxBytes` it forgets handled ids, oldest first: a copy of a forgotten
 * delivery arriving later runs the handler again (the cost of a bounded memory store). It
 * never forgets a claim in flight (its lease not yet run out): when only claims in flight are
 * left and a new id does not fit, the delivery is answered `503 dedupe_unavailable`, so the
 * sender retries later, and `onError` says which limit to raise.
 *
 * @example
 * ```ts
 * import { memoryStore } from "@colivara/webhooks";
 * app.use("/webhooks/colivara", verifyColivara({ dedupe: memoryStore({ maxEntries: 50_000 }) }));
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const sync = memorySyncStore(memoryStoreLimits(options), options.now ?? Date.now);
  return {
    claim: async (id) => sync.claim(id),
    complete: async (id, token) => sync.complete(id, token),
    release: async (id, token) => sync.release(id, token),
    extend: async (id, token) => sync.extend(id, token),
    [SYNC_STORE]: sync,
  } as DedupeStore;
}

function memorySyncStore(limits: Limits, now: () => number): SyncDedupeStore {
  const { ttlMs, leaseMs } = limits;
  // Claims in flight and handled ids (id -> when the mark expires), each in insertion order:
  // the first entries are the oldest, so expiry and eviction take them from the front in O(1).
  const leases = new Map<string, Lease>();
  const handled = new Map<string, number>();
  const room = memoryRoom(limits, leases, handled);

  return {
    claim(id) {
      const at = now();
      const lease = leases.get(id);
      if (lease !== undefined) {
        if (lease.expiresAt > at) return IN_FLIGHT;
        room.drop(leases, id);
      } else {
        const until = handled.get(id);
        // Stryker disable next-line ConditionalExpression: with no mark, `undefined > at` is false, so the undefined check only documents intent
        if (until !== undefined && until > at) return DONE;
        // Stryker disable next-line ConditionalExpression: dropping an id the map lacks is a no-op, so `if (true)` is the same
        if (until !== undefined) room.drop(handled, id);
      }
      room.make(id, at, "claim");
      const token = newToken();
      room.add(leases, id, { token, expiresAt: at + leaseMs });
      return { status: "claimed", token };
    },
    complete(id, token) {
      const lease = leases.get(id);
      // Another attempt's claim (ours ran out and was taken), or already marked: leave it.
      if (lease !== undefined && lease.token !== token) return;
      // Stryker disable next-line ConditionalExpression: leases and handled marks never share an id, so with a lease handled.has(id) is false anyway
      if (lease === undefined && handled.has(id)) return;
      const at = now();
      // Stryker disable StringLiteral: make() only compares `what` with "claim"; any other value selects the mark's message
      if (lease !== undefined) room.drop(leases, id);
      // Our lease ran out and its entry made room for others: keep the mark if it fits.
      else room.make(id, at, "mark");
      // Stryker restore StringLiteral
      room.add(handled, id, at + ttlMs);
    },
    release(id, token) {
      if (leases.get(id)?.token === token) room.drop(leases, id);
    },
    extend(id, token) {
      if (leases.get(id)?.token !== token) return;
      // Taken out and put back at the end: the map stays in expiry order (every lease is as long).
      room.drop(leases, id);
      room.add(leases, id, { token, expiresAt: now() + leaseMs });
    },
  };
}

/** The store's two maps as one bounded space: what is counted, and what may be forgotten. */
function memoryRoom(limits: Limits, leases: Map<string, Lease>, handled: Map<string, number>) {
  const { maxEntries, maxBytes } = limits;
  let bytes = 0;
  const cost = (id: string) => id.length + DEDUPE_ENTRY_OVERHEAD_BYTES;
  // Evicting a tenth at a time keeps eviction amortised O(1): starting a Map iterator walks
  // past the slots of earlier deletions, so one eviction per insert would cost that walk each time.
  const evictTo = Math.max(1, Math.floor(maxEntries * 0.9));
  const evictBytesTo = Math.floor(maxBytes * 0.9);
  const size = () => leases.size + handled.size;

  const room = {
    drop<V>(map: Map<string, V>, id: string): void {
      if (map.delete(id)) bytes -= cost(id);
    },
    add<V>(map: Map<string, V>, id: string, value: V): void {
      map.set(id, value);
      bytes += cost(id);
    },
    /** Forgets, from the front, claims whose lease ran out and handled ids whose TTL did. */
    dropExpired(now: number): void {
      // Each map gives all its entries the same lease (or TTL) when they are added: they expire in order.
      for (const [id, lease] of leases) {
        if (lease.expiresAt > now) break;
        room.drop(leases, id);
      }
      for (const [id, until] of handled) {
        if (until > now) break;
        room.drop(handled, id);
      }
    },
    /** Makes room for `id`, forgetting handled ids and claims whose lease ran out; never a claim in flight. */
    make(id: string, now: number, what: "claim" | "mark"): void {
      const need = cost(id);
      if (size() < maxEntries && bytes + need <= maxBytes) return;
      room.dropExpired(now);
      for (const old of handled.keys()) {
        if (size() < evictTo && bytes + need <= evictBytesTo) break;
        room.drop(handled, old);
      }
      if (size() >= maxEntries || bytes + need > maxBytes) throw storeFull(limits, size(), bytes, need, what);
    },
  };
  return room;
}
