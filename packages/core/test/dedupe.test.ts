import { describe, expect, it, vi } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import { macOf, newSecret } from "../../../test/support/independent-signer.js";
import { DEDUPE_ENTRY_OVERHEAD_BYTES, DEFAULT_MAX_BYTES } from "../src/dedupe/dedupe.js";
import { type DedupeStore, memoryStore } from "../src/index.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { harness as createReceiver } from "./pipeline-harness.js";

describe("memoryStore", () => {
  it("claims a new id once, reports it in flight, then done after complete", async () => {
    const store = memoryStore();
    const first = await store.claim("a");
    expect(first.status).toBe("claimed");
    expect(await store.claim("a")).toEqual({ status: "in_flight" });
    await store.complete("a", first.token as string);
    expect(await store.claim("a")).toEqual({ status: "done" });
  });

  it("gives a released claim to the next attempt, but only with the right token", async () => {
    const store = memoryStore();
    const first = await store.claim("a");
    await store.release("a", "someone-else");
    expect((await store.claim("a")).status).toBe("in_flight");
    await store.release("a", first.token as string);
    expect((await store.claim("a")).status).toBe("claimed");
  });

  it("lets a claim expire after its lease, and forgets handled ids after the TTL", async () => {
    let now = 1_000_000;
    const store = memoryStore({ leaseSeconds: 60, ttlSeconds: 3600, now: () => now });
    const first = await store.claim("a");
    now += 61_000;
    const second = await store.claim("a");
    expect(second.status).toBe("claimed");
    // The dead process's late completion must not overwrite the new owner's claim.
    await store.complete("a", first.token as string);
    expect((await store.claim("a")).status).toBe("in_flight");
    await store.complete("a", second.token as string);
    now += 3599_000;
    expect((await store.claim("a")).status).toBe("done");
    now += 2_000;
    expect((await store.claim("a")).status).toBe("claimed");
  });

  it("stays bounded under a flood of unique ids, forgetting the oldest first", async () => {
    const store = memoryStore({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) {
      const claim = await store.claim(`id-${i}`);
      await store.complete(`id-${i}`, claim.token as string);
    }
    expect((await store.claim("id-9999")).status).toBe("done");
    expect((await store.claim("id-9900")).status).toBe("done");
    expect((await store.claim("id-0")).status).toBe("claimed");
  });

  it("bounds the bytes its ids hold as well as their number, forgetting the oldest first", async () => {
    // 100 ids of 10,000 characters: about 1 MB, over a 200 kB bound long before 10,000 entries.
    const store = memoryStore({ maxBytes: 200_000 });
    const id = (i: number) => `${i}-`.padEnd(10_000, "x");
    for (let i = 0; i < 100; i++) {
      const claim = await store.claim(id(i));
      await store.complete(id(i), claim.token as string);
    }
    // 200,000 bytes hold at most 19 such ids (10,000 characters + the entry overhead each).
    expect(Math.floor(200_000 / (10_000 + DEDUPE_ENTRY_OVERHEAD_BYTES))).toBe(19);
    expect((await store.claim(id(99))).status).toBe("done");
    expect((await store.claim(id(85))).status).toBe("done");
    expect((await store.claim(id(79))).status).toBe("claimed");
    expect((await store.claim(id(0))).status).toBe("claimed");
  });

  it("keeps the default byte bound far above what 10,000 Svix ids need", async () => {
    const store = memoryStore();
    const id = (i: number) => `msg_${String(i).padStart(27, "0")}`;
    for (let i = 0; i < 10_000; i++) {
      const claim = await store.claim(id(i));
      await store.complete(id(i), claim.token as string);
    }
    // The entry bound, not the byte bound, is what forgets ids of ordinary deliveries.
    expect((await store.claim(id(0))).status).toBe("done");
    expect(10_000 * (id(0).length + DEDUPE_ENTRY_OVERHEAD_BYTES)).toBeLessThan(DEFAULT_MAX_BYTES / 2);
  });

  it.each([{ ttlSeconds: 0 }, { leaseSeconds: -1 }, { maxEntries: Number.NaN }, { maxBytes: 0 }])(
    "rejects %j",
    (options) => {
      expect(() => memoryStore(options)).toThrow(expect.objectContaining({ code: "invalid_config" }));
    },
  );
});

// Under pressure: past maxEntries/maxBytes the store forgets handled ids, never a claim still in
// flight (its retry would run the handler a second time, at once).
const full = expect.objectContaining({ code: "dedupe_unavailable" });

describe("memoryStore never drops an in-flight claim", () => {
  it("refuses a new id while every entry is in flight, and keeps answering in_flight for those", async () => {
    const store = memoryStore({ maxEntries: 2 });
    expect((await store.claim("a")).status).toBe("claimed");
    expect((await store.claim("b")).status).toBe("claimed");
    await expect(store.claim("c")).rejects.toEqual(full);
    expect(await store.claim("a")).toEqual({ status: "in_flight" });
    expect(await store.claim("b")).toEqual({ status: "in_flight" });
  });

  it("says which limit to raise and why", async () => {
    const store = memoryStore({ maxEntries: 2 });
    await store.claim("a");
    await store.claim("b");
    const error = await store.claim("c").catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/maxEntries/);
    expect((error as Error).message).toMatch(/in flight|being handled/);
    expect((error as Error).message).toMatch(/twice|second time/);
  });

  it("names maxBytes when the byte bound is the one that is full", async () => {
    const id = (i: number) => `${i}-`.padEnd(200, "x");
    const store = memoryStore({ maxBytes: 2 * (200 + DEDUPE_ENTRY_OVERHEAD_BYTES) });
    expect((await store.claim(id(0))).status).toBe("claimed");
    expect((await store.claim(id(1))).status).toBe("claimed");
    const error = await store.claim(id(2)).catch((e: unknown) => e as Error);
    expect(error).toEqual(full);
    expect((error as Error).message).toMatch(/maxBytes/);
    expect(await store.claim(id(0))).toEqual({ status: "in_flight" });
  });

  it("forgets handled ids, oldest first, to make room, and never the claim in flight among them", async () => {
    const store = memoryStore({ maxEntries: 10 });
    const held = await store.claim("slow");
    for (let i = 0; i < 1000; i++) {
      const claim = await store.claim(`id-${i}`);
      await store.complete(`id-${i}`, claim.token as string);
      expect(await store.claim("slow")).toEqual({ status: "in_flight" });
    }
    expect((await store.claim("id-999")).status).toBe("done");
    expect((await store.claim("id-0")).status).toBe("claimed");
    await store.complete("slow", held.token as string);
    expect((await store.claim("slow")).status).toBe("done");
  });

  it("takes a new id once a handled mark can make room for it", async () => {
    const store = memoryStore({ maxEntries: 2 });
    const a = await store.claim("a");
    await store.claim("b");
    await store.complete("a", a.token as string);
    // Forgetting a's handled mark is the documented cost of a bounded store: a later copy runs again.
    expect((await store.claim("c")).status).toBe("claimed");
    expect(await store.claim("b")).toEqual({ status: "in_flight" });
    expect(await store.claim("c")).toEqual({ status: "in_flight" });
  });

  it("treats a claim whose lease ran out as no longer in flight: it makes room", async () => {
    let now = 1_000_000;
    const store = memoryStore({ maxEntries: 2, leaseSeconds: 60, now: () => now });
    await store.claim("a");
    await store.claim("b");
    await expect(store.claim("c")).rejects.toEqual(full);
    now += 60_000;
    expect((await store.claim("c")).status).toBe("claimed");
    expect((await store.claim("d")).status).toBe("claimed");
    expect(await store.claim("c")).toEqual({ status: "in_flight" });
  });

  it("reports a handled mark it cannot keep instead of dropping a claim in flight for it", async () => {
    let now = 1_000_000;
    const store = memoryStore({ maxEntries: 2, leaseSeconds: 60, now: () => now });
    const late = await store.claim("late");
    now += 60_000;
    await store.claim("b");
    await store.claim("c");
    // "late" finished after its lease: its entry made room for c, and b and c are in flight.
    const error = await store.complete("late", late.token as string).catch((e: unknown) => e as Error);
    expect(error).toEqual(full);
    expect((error as Error).message).toMatch(/handled mark/);
    expect(await store.claim("b")).toEqual({ status: "in_flight" });
    expect(await store.claim("c")).toEqual({ status: "in_flight" });
  });

  it("refuses an id too large for the store instead of claiming it without remembering it", async () => {
    const store = memoryStore({ maxBytes: 1000 });
    const long = "x".repeat(2000);
    const error = await store.claim(long).catch((e: unknown) => e as Error);
    expect(error).toEqual(full);
    expect((error as Error).message).toMatch(/dedupeKey/);
  });

  it.each([{ maxEntries: 0.5 }, { maxBytes: 100 }])("rejects %j at creation: not even one id would fit", (options) => {
    expect(() => memoryStore(options)).toThrow(expect.objectContaining({ code: "invalid_config" }));
  });
});

describe("receiver with dedupe", () => {
  const secret = newSecret();
  const deliver = (id: string) => {
    const body = JSON.stringify(upsertSuccessEvent());
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": `v1,${macOf(secret, id, ts, body)}`,
    };
    return { method: "POST", headers, body };
  };

  it("runs the handler once and answers later duplicates 200 {duplicate:true}", async () => {
    const handler = vi.fn();
    const receiver = createReceiver({ secret, on: { "upsert.success": handler } });
    expect((await receiver.receive(deliver("msg_1"))).response?.status).toBe(204);
    const again = await receiver.receive(deliver("msg_1"));
    expect(again.response?.status).toBe(200);
    expect(JSON.parse(again.response?.body as string)).toEqual({ duplicate: true });
    expect(handler).toHaveBeenCalledOnce();
  });

  it("answers 409 to a duplicate while the first is still being handled", async () => {
    let finish: (() => void) | undefined;
    const receiver = createReceiver({
      secret,
      on: {
        "upsert.success": () =>
          new Promise<void>((resolve) => {
            finish = resolve;
          }),
      },
    });
    const first = receiver.receive(deliver("msg_2"));
    // Wait until the first attempt is inside its handler.
    await eventually(() => expect(finish).toBeTypeOf("function"));
    const second = await receiver.receive(deliver("msg_2"));
    expect(second.response?.status).toBe(409);
    expect(JSON.parse(second.response?.body as string).error.code).toBe("delivery_in_progress");
    finish?.();
    expect((await first).response?.status).toBe(204);
  });

  it("releases the claim when the handler throws, so the retry runs", async () => {
    let calls = 0;
    const receiver = createReceiver({
      secret,
      onError: () => {},
      on: {
        "upsert.success": () => {
          calls++;
          if (calls === 1) throw new Error("transient");
        },
      },
    });
    expect((await receiver.receive(deliver("msg_3"))).response?.status).toBe(500);
    expect((await receiver.receive(deliver("msg_3"))).response?.status).toBe(204);
    expect((await receiver.receive(deliver("msg_3"))).response?.status).toBe(200);
    expect(calls).toBe(2);
  });

  it("settles middleware mode from the caller's outcome", async () => {
    const receiver = createReceiver({ secret });
    const first = await receiver.receive(deliver("msg_4"));
    first.answer?.(500);
    const retry = await eventually(async () => {
      const attempt = await receiver.receive(deliver("msg_4"));
      expect(attempt.webhook?.id).toBe("msg_4");
      return attempt;
    });
    retry.answer?.(200);
    await eventually(async () => expect((await receiver.receive(deliver("msg_4"))).response?.status).toBe(200));
  });

  it("answers 503 and reports when the store fails, without running the handler", async () => {
    const broken: DedupeStore = {
      claim: () => Promise.reject(new Error("redis down")),
      complete: async () => {},
      release: async () => {},
    };
    const handler = vi.fn();
    const onError = vi.fn();
    const receiver = createReceiver({ secret, dedupe: broken, onError, on: { "upsert.success": handler } });
    const result = await receiver.receive(deliver("msg_5"));
    expect(result.response?.status).toBe(503);
    expect(handler).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledOnce();
  });

  it("answers 503 and reports when the in-memory store fails too (it is called without a promise)", async () => {
    let broken = false;
    const clock = () => {
      if (broken) throw new Error("clock unavailable");
      return Date.now();
    };
    const handler = vi.fn();
    const onError = vi.fn();
    const dedupe = memoryStore({ now: clock });
    const receiver = createReceiver({ secret, dedupe, onError, on: { "upsert.success": handler } });
    expect((await receiver.receive(deliver("msg_7"))).response?.status).toBe(204);
    broken = true;
    expect((await receiver.receive(deliver("msg_8"))).response?.status).toBe(503);
    expect(handler).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "clock unavailable" }), expect.anything());
  });

  it("does nothing of the kind with dedupe: false", async () => {
    const handler = vi.fn();
    const receiver = createReceiver({ secret, dedupe: false, on: { "upsert.success": handler } });
    await receiver.receive(deliver("msg_6"));
    await receiver.receive(deliver("msg_6"));
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("rejects a dedupe option that is not a store", () => {
    expect(() => createReceiver({ secret, dedupe: {} as DedupeStore })).toThrow(/claim\/complete\/release/);
  });
});
