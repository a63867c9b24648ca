import { numberOption } from "./number-option.js";

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
  /** Most ids kept; the oldest are forgotten first. Default 10,000. */
  maxEntries?: number | undefined;
  /**
   * Most memory the ids may hold, in bytes (each id counts its length plus a fixed
   * {@link DEDUPE_ENTRY_OVERHEAD_BYTES}); the oldest are forgotten first. Default 8 MiB: far
   * above 10,000 Svix ids (about 2 MiB), far below 10,000 ids of 15,000 characters (150 MiB).
   * An id longer than this is never remembered.
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
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return counter.toString(36);
}

interface Entry {
  done: boolean;
  token: string;
  expiresAt: number;
}

// The options checked and in the units the store counts in (bad values throw at start-up).
function memoryStoreLimits(options: MemoryStoreOptions) {
  const seconds = (name: "ttlSeconds" | "leaseSeconds", fallback: number) =>
    numberOption(name, options[name], { fallback, unit: "seconds" }) * 1000;
  return {
    ttlMs: seconds("ttlSeconds", DEFAULT_DEDUPE_TTL_SECONDS),
    leaseMs: seconds("leaseSeconds", DEFAULT_LEASE_SECONDS),
    maxEntries: Math.floor(numberOption("maxEntries", options.maxEntries, { fallback: DEFAULT_MAX_ENTRIES })),
    maxBytes: Math.floor(numberOption("maxBytes", options.maxBytes, { fallback: DEFAULT_MAX_BYTES, unit: "bytes" })),
  };
}

/**
 * The default store: in process memory, bounded. Enough for an app running one instance;
 * use `redisStore` from `@colivara/webhooks-redis` when several instances share traffic.
 *
 * @example
 * ```ts
 * import { memoryStore } from "@colivara/webhooks";
 * app.use("/webhooks/colivara", verifyColivara({ dedupe: memoryStore({ maxEntries: 50_000 }) }));
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): DedupeStore {
  const { ttlMs, leaseMs, maxEntries, maxBytes } = memoryStoreLimits(options);
  const now = options.now ?? Date.now;
  // Map iteration follows insertion order; entries are re-inserted when renewed, so the
  // first entries are always the oldest and eviction is O(1).
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const cost = (id: string) => id.length + DEDUPE_ENTRY_OVERHEAD_BYTES;

  // Evicting a tenth at a time keeps eviction amortised O(1): starting a Map iterator walks
  // past the slots of earlier deletions, so one eviction per insert would cost that walk each time.
  const evictTo = Math.max(1, Math.floor(maxEntries * 0.9));
  const evictBytesTo = Math.floor(maxBytes * 0.9);

  function remove(id: string): void {
    if (entries.delete(id)) bytes -= cost(id);
  }

  function set(id: string, entry: Entry): void {
    remove(id);
    entries.set(id, entry);
    bytes += cost(id);
    if (entries.size <= maxEntries && bytes <= maxBytes) return;
    for (const oldest of entries.keys()) {
      remove(oldest);
      if (entries.size <= evictTo && bytes <= evictBytesTo) break;
    }
  }

  const sync: SyncDedupeStore = {
    claim(id) {
      const entry = entries.get(id);
      if (entry !== undefined && entry.expiresAt > now()) {
        return { status: entry.done ? "done" : "in_flight" };
      }
      const token = newToken();
      set(id, { done: false, token, expiresAt: now() + leaseMs });
      return { status: "claimed", token };
    },
    complete(id, token) {
      const entry = entries.get(id);
      if (entry === undefined || entry.token === token) set(id, { done: true, token, expiresAt: now() + ttlMs });
    },
    release(id, token) {
      if (entries.get(id)?.token === token) remove(id);
    },
  };
  return {
    claim: async (id) => sync.claim(id),
    complete: async (id, token) => sync.complete(id, token),
    release: async (id, token) => sync.release(id, token),
    [SYNC_STORE]: sync,
  } as DedupeStore;
}
