// The in-memory dedupe store at its edges: the instant a lease or a mark runs out, ids whose
// costs fill maxBytes exactly, how much it forgets at once when full, what its errors tell the
// user to change, and tokens that stay distinct however many claims came before.
import { describe, expect, it } from "vitest";
import { DEDUPE_KEY_MAX_BYTES } from "../src/adapter.js";
import { DEDUPE_ENTRY_OVERHEAD_BYTES } from "../src/dedupe/dedupe.js";
import { type DedupeStore, type MemoryStoreOptions, memoryStore } from "../src/index.js";

const T0 = 1_000_000;
/** What one id of `length` characters costs the store. */
const cost = (length: number) => length + DEDUPE_ENTRY_OVERHEAD_BYTES;
/** The smallest maxBytes the store accepts: one entry of the longest key. */
const ONE_KEY = cost(DEDUPE_KEY_MAX_BYTES);

/** A store on a clock the test moves. */
function clocked(options: MemoryStoreOptions = {}) {
  const clock = { now: T0 };
  return { clock, store: memoryStore({ ...options, now: () => clock.now }) };
}

async function handle(store: DedupeStore, id: string): Promise<void> {
  const claim = await store.claim(id);
  expect(claim.status).toBe("claimed");
  await store.complete(id, claim.token as string);
}

async function claimOnly(store: DedupeStore, id: string): Promise<void> {
  expect((await store.claim(id)).status).toBe("claimed");
}

async function statusOf(store: DedupeStore, id: string) {
  return (await store.claim(id)).status;
}

const messageOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a throw");
};

const rejectionOf = (pending: Promise<unknown>): Promise<Error> =>
  pending.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );

describe("the instant a lease or a handled mark runs out", () => {
  it.each([
    { held: "a lease", options: { leaseSeconds: 60 }, life: 60_000, before: "in_flight", take: claimOnly },
    { held: "a handled mark", options: { ttlSeconds: 10 }, life: 10_000, before: "done", take: handle },
  ])("gives the id to a new claim exactly when $held ends", async ({ options, life, before, take }) => {
    const { clock, store } = clocked(options);
    await take(store, "a");
    clock.now = T0 + life - 1;
    expect(await statusOf(store, "a")).toBe(before);
    clock.now = T0 + life;
    expect(await statusOf(store, "a")).toBe("claimed");
  });

  it("does not extend a mark when the same delivery is completed twice", async () => {
    const { clock, store } = clocked({ ttlSeconds: 10 });
    const claim = await store.claim("a");
    await store.complete("a", claim.token as string);
    clock.now = T0 + 5_000;
    await store.complete("a", claim.token as string);
    clock.now = T0 + 12_000;
    expect(await statusOf(store, "a")).toBe("claimed");
  });

  it("counts an id handled again after its mark ran out once, so it does not crowd out others", async () => {
    // Room for two one-character ids: a mark counted twice would force "a" out to fit "b".
    const { clock, store } = clocked({ ttlSeconds: 1, maxBytes: ONE_KEY });
    expect(2 * cost(1)).toBeLessThanOrEqual(ONE_KEY);
    expect(3 * cost(1)).toBeGreaterThan(ONE_KEY);
    await handle(store, "a");
    clock.now = T0 + 2_000;
    await handle(store, "a");
    await handle(store, "b");
    expect(await statusOf(store, "a")).toBe("done");
    expect(await statusOf(store, "b")).toBe("done");
  });

  it("forgets every expired mark before any live one when it needs room", async () => {
    const { clock, store } = clocked({ ttlSeconds: 100, maxEntries: 10 });
    const expired = ["e0", "e1", "e2", "e3", "e4"];
    const live = ["f0", "f1", "f2", "f3", "f4"];
    for (const id of expired) await handle(store, id);
    clock.now = T0 + 50_000;
    for (const id of live) await handle(store, id);
    // The e marks run out at this very instant; the f marks have 50 s left.
    clock.now = T0 + 100_000;
    for (const id of ["n0", "n1", "n2", "n3", "n4"]) await handle(store, id);
    for (const id of live) expect(await statusOf(store, id)).toBe("done");
  });

  it("answers a release for an id it no longer holds without an error", async () => {
    const { clock, store } = clocked({ leaseSeconds: 60, maxEntries: 1 });
    const claim = await store.claim("a");
    clock.now = T0 + 60_000;
    // The run-out lease of "a" made room for "b": the late release finds nothing to give back.
    await handle(store, "b");
    await expect(store.release("a", claim.token as string)).resolves.toBeUndefined();
    await expect(store.release("never-claimed", "any")).resolves.toBeUndefined();
    expect(await statusOf(store, "b")).toBe("done");
  });
});

describe("limits met exactly", () => {
  it("accepts maxEntries 1 and the smallest maxBytes, each holding one id", async () => {
    const one = memoryStore({ maxEntries: 1 });
    await handle(one, "a");
    expect(await statusOf(one, "a")).toBe("done");
    const smallest = memoryStore({ maxBytes: ONE_KEY });
    const longest = "k".repeat(DEDUPE_KEY_MAX_BYTES);
    await handle(smallest, longest);
    expect(await statusOf(smallest, longest)).toBe("done");
  });

  it("keeps every id when their costs fill maxBytes exactly", async () => {
    const store = memoryStore({ maxBytes: 3 * cost(1) });
    for (const id of ["a", "b", "c"]) await handle(store, id);
    for (const id of ["a", "b", "c"]) expect(await statusOf(store, id)).toBe("done");
  });

  it("takes a claim that fills maxBytes exactly once a run-out lease is forgotten", async () => {
    const { clock, store } = clocked({ leaseSeconds: 60, maxBytes: 3 * cost(1) });
    await store.claim("x");
    clock.now = T0 + 60_000;
    expect(await statusOf(store, "a")).toBe("claimed");
    expect(await statusOf(store, "b")).toBe("claimed");
    expect(await statusOf(store, "c")).toBe("claimed");
  });

  it("reports a store full of claims in flight, not an oversized id, when an id is as large as maxBytes", async () => {
    const store = memoryStore({ maxBytes: ONE_KEY });
    await store.claim("a".repeat(DEDUPE_KEY_MAX_BYTES));
    const error = await rejectionOf(store.claim("b".repeat(DEDUPE_KEY_MAX_BYTES)));
    expect(error).toMatchObject({ code: "dedupe_unavailable" });
    expect(error.message).toContain("is full");
    expect(error.message).toContain(`${ONE_KEY} of its ${ONE_KEY} bytes (maxBytes)`);
  });
});

describe("when full, it forgets the oldest handled ids a batch at a time", () => {
  it("down to under 90% of maxEntries", async () => {
    const store = memoryStore({ maxEntries: 10 });
    for (let i = 0; i <= 10; i++) await handle(store, `id-${i}`);
    // The 11th id found 10 entries: the two oldest went, leaving 8 (under 9) before it was added.
    for (let i = 2; i <= 10; i++) expect(await statusOf(store, `id-${i}`)).toBe("done");
    expect(await statusOf(store, "id-1")).toBe("claimed");
    expect(await statusOf(store, "id-0")).toBe("claimed");
  });

  it("down to 90% of maxBytes, with the new id counted", async () => {
    // Ids of 140 characters cost 300 bytes: three fill 900 of 1,000, and a fourth needs one to go.
    const store = memoryStore({ maxBytes: 1000 });
    const id = (i: number) => `${i}-`.padEnd(140, "x");
    expect(cost(id(0).length)).toBe(300);
    for (let i = 0; i < 4; i++) await handle(store, id(i));
    for (let i = 1; i < 4; i++) expect(await statusOf(store, id(i))).toBe("done");
    expect(await statusOf(store, id(0))).toBe("claimed");
  });
});

describe("what a full store tells the user to raise", () => {
  it("names the entry limit with its count when every entry is in flight", async () => {
    const store = memoryStore({ maxEntries: 2 });
    await store.claim("a");
    await store.claim("b");
    const error = await rejectionOf(store.claim("c"));
    expect(error.message).toContain("all 2 ids it may keep (maxEntries 2)");
    expect(error.message).toContain("Raise memoryStore({ maxEntries })");
  });

  it("names the byte limit with its use when every byte is in flight", async () => {
    const maxBytes = 2 * cost(200);
    const store = memoryStore({ maxBytes });
    await store.claim("a".repeat(200));
    await store.claim("b".repeat(200));
    const error = await rejectionOf(store.claim("c".repeat(200)));
    expect(error.message).toContain(`${maxBytes} of its ${maxBytes} bytes (maxBytes)`);
    expect(error.message).toContain("Raise memoryStore({ maxBytes })");
  });
});

describe("what a bad option tells the user to set", () => {
  it.each([
    [{ ttlSeconds: 0 }, ["ttlSeconds", "number of seconds"]],
    [{ leaseSeconds: -1 }, ["leaseSeconds", "number of seconds"]],
    [{ maxEntries: Number.NaN }, ["maxEntries must be a positive number"]],
    [{ maxBytes: -1 }, ["maxBytes must be a positive number of bytes"]],
    [{ maxEntries: 0.5 }, ["maxEntries must be at least 1"]],
    [{ maxBytes: 100 }, [`maxBytes must be at least ${ONE_KEY}`]],
  ] as const)("%j", (options, phrases) => {
    const message = messageOf(() => memoryStore(options));
    for (const phrase of phrases) expect(message).toContain(phrase);
  });
});

describe("tokens", () => {
  it("stay distinct however many claims came before, so a late owner never completes a newer claim", async () => {
    const { clock, store } = clocked({ leaseSeconds: 60 });
    const tokens = new Set<string>();
    for (let i = 0; i < 100; i++) tokens.add((await store.claim(`other-${i}`)).token as string);
    expect(tokens.size).toBe(100);
    const late = await store.claim("a");
    clock.now = T0 + 60_000;
    const current = await store.claim("a");
    expect(current.status).toBe("claimed");
    await store.complete("a", late.token as string);
    expect(await statusOf(store, "a")).toBe("in_flight");
  });
});
