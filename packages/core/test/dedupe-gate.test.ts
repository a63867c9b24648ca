// The dedupe claim in front of the user's code (dedupe-gate.ts): a store that is down, a
// handled mark that cannot be written, a claim settled once, and a claim without a token.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDedupeGate, type GateDecision } from "../src/dedupe/dedupe-gate.js";
import { MARK_RETRY_MS } from "../src/dedupe/handled-mark.js";
import { createVerifier, type DedupeStore, memoryStore, type VerifiedWebhook } from "../src/index.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { harness } from "./pipeline-harness.js";
import { memoryPino, NOW_S, SECRET, signed } from "./record-support.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const base = { secret: SECRET, now: () => NOW_S * 1000 };
const post = (id: string) => ({ method: "POST", ...signed(upsertSuccessEvent(), { id }) });

async function verified(id: string): Promise<VerifiedWebhook> {
  const { headers, body } = signed(upsertSuccessEvent(), { id });
  return createVerifier(base).verify(body, headers);
}

/** A store whose claims are `claim` and whose settlements are written down. */
function settling(claim: { status: "claimed"; token?: string }) {
  const calls: string[] = [];
  const store: DedupeStore = {
    claim: async () => claim,
    complete: async (key, token) => void calls.push(`complete ${key} ${token}`),
    release: async (key, token) => void calls.push(`release ${key} ${token}`),
  };
  return { store, calls };
}

function proceeding(decision: GateDecision) {
  if (decision.kind !== "proceed") throw new Error(`expected to proceed, got ${decision.outcome}`);
  return decision;
}

describe("the gate settles a claim", () => {
  it("once: the first word (handled) is the one the store keeps", async () => {
    const { store, calls } = settling({ status: "claimed", token: "t1" });
    const decision = proceeding(await createDedupeGate(store, vi.fn())(await verified("msg_once")));
    await decision.settle(true);
    expect(decision.settle(false)).toBeUndefined();
    expect(decision.settle(true)).toBeUndefined();
    expect(calls).toEqual(["complete msg_once t1"]);
  });

  it("not at all when the store claimed it without a token (it tracks nothing to complete)", async () => {
    const { store, calls } = settling({ status: "claimed" });
    const decision = proceeding(await createDedupeGate(store, vi.fn())(await verified("msg_untracked")));
    expect(decision.settle(true)).toBeUndefined();
    expect(decision.settle(false)).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe("a store that fails", () => {
  const down: DedupeStore = {
    claim: () => Promise.reject(new Error("redis down")),
    complete: async () => {},
    release: async () => {},
  };

  it("to claim: the gate answers (kind answer) 503, the outcome store_unavailable", async () => {
    const decision = await createDedupeGate(down, vi.fn())(await verified("msg_gate_down"));
    expect(decision).toMatchObject({ kind: "answer", outcome: "store_unavailable", response: { status: 503 } });
  });

  it("to claim: 503 dedupe_unavailable, recorded as store_unavailable, reported with the delivery", async () => {
    const { logger, lines } = memoryPino();
    const onError = vi.fn();
    const receiver = harness({ ...base, dedupe: down, log: logger, onError, on: {} });
    expect((await receiver.receive(post("msg_down"))).response?.status).toBe(503);
    expect(lines.at(-1)).toMatchObject({ outcome: "store_unavailable", code: "dedupe_unavailable", status: 503 });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "redis down" }), {
      webhook: expect.objectContaining({ id: "msg_down" }),
    });
  });

  it.each([
    ["rejects", () => Promise.reject(new Error("mark lost"))],
    [
      "throws",
      () => {
        throw new Error("mark lost");
      },
    ],
  ])(
    "to write the handled mark (%s), past the retry bound: the answer stands and onError hears of it with the delivery id",
    async (_label, complete) => {
      vi.useFakeTimers({ toFake: ["setTimeout", "Date"] });
      const memory = memoryStore();
      const store: DedupeStore = {
        claim: (id) => memory.claim(id),
        complete: vi.fn(complete as DedupeStore["complete"]),
        release: (id, token) => memory.release(id, token),
      };
      const onError = vi.fn();
      const receiver = harness({ ...base, dedupe: store, onError, on: {} });
      const received = receiver.receive(post("msg_mark"));
      await vi.advanceTimersByTimeAsync(MARK_RETRY_MS);
      expect((await received).response?.status).toBe(204);
      vi.useRealTimers();
      expect(vi.mocked(store.complete).mock.calls.length).toBeGreaterThan(5);
      expect(onError).toHaveBeenCalledOnce();
      const reported = onError.mock.calls[0]?.[0] as Error;
      expect(reported).toMatchObject({ code: "dedupe_unavailable", message: expect.stringContaining("msg_mark") });
      expect(reported.cause).toMatchObject({ message: "mark lost" });
      expect(onError.mock.calls[0]?.[1]).toEqual({ webhook: expect.objectContaining({ id: "msg_mark" }) });
    },
  );

  it("to digest a long id (no node:crypto, no Web Crypto): 503 dedupe_unavailable, reported", async () => {
    const onError = vi.fn();
    const handler = vi.fn();
    // The verifier keeps the engine it chose at creation; the key is digested per delivery.
    const receiver = harness({ ...base, onError, on: { "upsert.success": handler } });
    const request = post(`msg_${"L".repeat(300)}`);
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    vi.stubGlobal("crypto", undefined);
    const { response } = await receiver.receive(request);
    expect(response?.status).toBe(503);
    expect(JSON.parse(response?.body ?? "{}").error.code).toBe("dedupe_unavailable");
    expect(handler).not.toHaveBeenCalled();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({
      code: "invalid_config",
      message: expect.stringMatching(/Web Crypto/),
    });
  });
});
