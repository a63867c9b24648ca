// A handled mark that cannot be lost (handled-mark.ts): retried with the lease kept until the
// store takes it, reported with the delivery id past its bound, and the memory store's extend.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MARK_RETRY_MS, markHandled } from "../src/dedupe/handled-mark.js";
import { createWebhookHandler, type DedupeStore, memoryStore } from "../src/index.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { harness } from "./pipeline-harness.js";
import { NOW_S, SECRET, signed } from "./record-support.js";

afterEach(() => {
  vi.useRealTimers();
});

const base = { secret: SECRET, now: () => NOW_S * 1000 };
const post = (id: string) => ({ method: "POST", ...signed(upsertSuccessEvent(), { id }) });

/** A memory store whose first `failures` handled marks fail, with every call written down. */
function flaky(failures: number) {
  const memory = memoryStore({ leaseSeconds: 60 });
  const calls: string[] = [];
  let left = failures;
  const store: Required<DedupeStore> = {
    claim: (id) => memory.claim(id),
    release: (id, token) => memory.release(id, token),
    extend: async (id, token) => {
      calls.push(`extend ${id} ${token}`);
      await memory.extend?.(id, token);
    },
    complete: async (id, token) => {
      calls.push(`complete ${id} ${token}`);
      if (left-- > 0) throw new Error("ECONNREFUSED 127.0.0.1:6379");
      await memory.complete(id, token);
    },
  };
  return { store, calls };
}

describe("markHandled", () => {
  it("answers at once, without a promise, when the store takes the mark at once", () => {
    const store = { complete: vi.fn(() => undefined) };
    expect(markHandled({ store, key: "msg_1", token: "t", id: "msg_1" })).toBeUndefined();
    expect(store.complete).toHaveBeenCalledWith("msg_1", "t");
  });

  it("retries a failing store, extending the claim's lease before each retry, until it takes the mark", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "Date"] });
    const { store, calls } = flaky(3);
    const claim = await store.claim("msg_2");
    const marked = markHandled({ store, key: "msg_2", token: claim.token as string, id: "msg_2" });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(marked).resolves.toBeUndefined();
    const t = claim.token;
    expect(calls).toEqual([
      `complete msg_2 ${t}`,
      ...[1, 2, 3].flatMap(() => [`extend msg_2 ${t}`, `complete msg_2 ${t}`]),
    ]);
    expect((await store.claim("msg_2")).status).toBe("done");
  });

  it("rejects past its bound with dedupe_unavailable naming the delivery (escaped), the last failure as cause", async () => {
    const { store } = flaky(Number.POSITIVE_INFINITY);
    const id = "msg_\u001b[2Jbad";
    const claim = await store.claim(id);
    const marked = markHandled({ store, key: id, token: claim.token as string, id, boundMs: 300 });
    const error = await marked?.catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: "dedupe_unavailable", status: 503 });
    expect((error as Error).message).toContain("msg_\\x1b[2Jbad");
    expect((error as Error).message).toMatch(/within 0\.3 s/);
    expect((error as Error).cause).toMatchObject({ message: "ECONNREFUSED 127.0.0.1:6379" });
  });

  it("treats a store that throws synchronously like one that rejects", async () => {
    let failures = 1;
    const marks: string[] = [];
    const store = {
      complete: (id: string) => {
        if (failures-- > 0) throw new Error("sync failure");
        marks.push(id);
      },
    };
    await markHandled({ store, key: "msg_3", token: "t", id: "msg_3" });
    expect(marks).toEqual(["msg_3"]);
  });

  it(`waits ${MARK_RETRY_MS / 1000} s by default, under the 15 s a sender like Svix waits for the answer`, () => {
    expect(MARK_RETRY_MS).toBe(10_000);
  });
});

describe("a delivery whose handled mark fails for a moment", () => {
  it("is answered once the mark landed, with nothing reported, and its copy is a duplicate", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "Date"] });
    const { store, calls } = flaky(2);
    const onError = vi.fn();
    const handler = vi.fn();
    const receiver = harness({ ...base, dedupe: store, onError, on: { "upsert.success": handler } });
    const first = receiver.receive(post("msg_moment"));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await first).response?.status).toBe(204);
    vi.useRealTimers();
    expect((await receiver.receive(post("msg_moment"))).response?.status).toBe(200);
    expect(handler).toHaveBeenCalledOnce();
    expect(onError).not.toHaveBeenCalled();
    expect(calls.filter((call) => call.startsWith("complete"))).toHaveLength(3);
  });
});

describe("the memory store's extend", () => {
  function clocked() {
    let now = 0;
    const store = memoryStore({ leaseSeconds: 60, now: () => now });
    const advance = (ms: number) => {
      now += ms;
    };
    return { store, advance };
  }

  it("starts the lease again, so a copy after the first lease is still in flight", async () => {
    const { store, advance } = clocked();
    const { token } = await store.claim("msg_x");
    advance(50_000);
    await store.extend?.("msg_x", token as string);
    advance(50_000);
    expect((await store.claim("msg_x")).status).toBe("in_flight");
    advance(10_001);
    expect((await store.claim("msg_x")).status).toBe("claimed");
  });

  it("does nothing for a token that no longer holds the claim", async () => {
    const { store, advance } = clocked();
    await store.claim("msg_y");
    advance(50_000);
    await store.extend?.("msg_y", "someone else");
    advance(10_001);
    expect((await store.claim("msg_y")).status).toBe("claimed");
  });

  it("keeps expiry in order: an extended lease outlives one claimed after it", async () => {
    const { store, advance } = clocked();
    const first = await store.claim("msg_a");
    advance(10_000);
    await store.claim("msg_b");
    advance(10_000);
    await store.extend?.("msg_a", first.token as string);
    advance(50_001);
    expect((await store.claim("msg_b")).status).toBe("claimed");
    expect((await store.claim("msg_a")).status).toBe("in_flight");
  });
});

describe("a store's extend, checked at start-up", () => {
  it("throws invalid_config when it is given but is not a function", () => {
    const store = { ...memoryStore(), extend: "yes" } as unknown as DedupeStore;
    expect(() => createWebhookHandler(() => undefined, { ...base, dedupe: store })).toThrow(
      /dedupe\.extend must be a function/,
    );
  });
});
