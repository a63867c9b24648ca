// The shared read deadline on a fake clock: when a deadline fires, what timers it leaves
// behind, and the plain-timer fallback of runtimes whose timer handles cannot be unref'd
// (Workers, Deno and Next's edge sandbox give numbers). Each test loads a fresh copy of the
// module, so its interval and its runtime probe start over on the fake clock.
import { afterEach, describe, expect, it, type Mock, vi } from "vitest";
import { readFetchBody } from "../src/http/read-fetch-body.js";

type WatchDeadline = typeof import("../src/http/read-timeout.js").watchDeadline;

const FAKED = ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] as const;

/** A fresh module on a fake clock; `runtime` first reshapes the globals it will find. */
async function onFakeClock(
  runtime: () => void = () => {},
  toFake: readonly (typeof FAKED)[number][] = FAKED,
): Promise<WatchDeadline> {
  vi.useFakeTimers({ toFake: [...toFake] });
  runtime();
  vi.resetModules();
  return (await import("../src/http/read-timeout.js")).watchDeadline;
}

/** Not fired `early` ms from now, fired exactly once by `by` ms from now. */
function expectFiredBetween(onTimeout: Mock, early: number, by: number): void {
  vi.advanceTimersByTime(early);
  expect(onTimeout).not.toHaveBeenCalled();
  vi.advanceTimersByTime(by - early);
  expect(onTimeout).toHaveBeenCalledTimes(1);
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("watchDeadline on Node (one shared, unref'd interval)", () => {
  it("fires on the sweep that reaches its deadline, never before", async () => {
    const watchDeadline = await onFakeClock();
    const onTimeout = vi.fn();
    watchDeadline(100, onTimeout);
    expectFiredBetween(onTimeout, 99, 100);
  });

  it("fires at most a tenth of its time late, whenever it started", async () => {
    const watchDeadline = await onFakeClock();
    watchDeadline(1000, () => {});
    vi.advanceTimersByTime(1);
    // Started off the sweep's beat: due at 1001, swept by 1100.
    const onTimeout = vi.fn();
    watchDeadline(1000, onTimeout);
    expectFiredBetween(onTimeout, 999, 1099);
  });

  it("checks a 10 s deadline once a second, not every few milliseconds", async () => {
    const watchDeadline = await onFakeClock();
    watchDeadline(10_000, () => {});
    const started = Date.now();
    vi.advanceTimersToNextTimer();
    expect(Date.now() - started).toBe(1000);
  });

  it("leaves no timer behind once no deadline is pending, after a shorter one took over the sweep", async () => {
    const watchDeadline = await onFakeClock();
    const long = watchDeadline(10_000, () => {});
    const short = watchDeadline(50, () => {});
    long.cancel();
    short.cancel();
    vi.advanceTimersByTime(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not hold back a stalled read's deadline while quick reads keep starting and ending", async () => {
    const watchDeadline = await onFakeClock();
    const stalled = vi.fn();
    watchDeadline(100, stalled);
    for (let i = 0; i < 30; i++) {
      vi.advanceTimersByTime(9);
      watchDeadline(100, () => {}).cancel();
    }
    expect(stalled).toHaveBeenCalledTimes(1);
  });

  it("costs no timer of its own per deadline: every read shares the one interval", async () => {
    const watchDeadline = await onFakeClock();
    watchDeadline(10_000, () => {}).cancel();
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    for (let i = 0; i < 100; i++) watchDeadline(10_000, () => {}).cancel();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });

  it("runs on the monotonic clock: a wall-clock jump (an NTP step) does not fire a deadline early", async () => {
    const watchDeadline = await onFakeClock();
    const onTimeout = vi.fn();
    watchDeadline(1000, onTimeout);
    vi.setSystemTime(Date.now() + 3_600_000);
    expectFiredBetween(onTimeout, 500, 1000);
  });

  it("falls back to Date.now where the runtime has no performance clock", async () => {
    const watchDeadline = await onFakeClock(
      () => vi.stubGlobal("performance", undefined),
      FAKED.filter((name) => name !== "performance"),
    );
    const onTimeout = vi.fn();
    watchDeadline(100, onTimeout);
    expectFiredBetween(onTimeout, 99, 100);
  });

  it("fires every watch left once some among them are cancelled, each once", async () => {
    const watchDeadline = await onFakeClock();
    const calls = [vi.fn(), vi.fn(), vi.fn(), vi.fn(), vi.fn()];
    const watches = calls.map((onTimeout) => watchDeadline(100, onTimeout));
    watches[1]?.cancel();
    watches[4]?.cancel();
    watches[1]?.cancel();
    vi.advanceTimersByTime(300);
    expect(calls.map((onTimeout) => onTimeout.mock.calls.length)).toEqual([1, 0, 1, 1, 0]);
  });

  it("does not fire a due watch that an earlier callback of the same sweep cancelled", async () => {
    const watchDeadline = await onFakeClock();
    const second = vi.fn();
    let secondWatch: { cancel(): void } | undefined;
    watchDeadline(100, () => secondWatch?.cancel());
    secondWatch = watchDeadline(100, second);
    const third = vi.fn();
    watchDeadline(100, third);
    vi.advanceTimersByTime(200);
    expect(second).not.toHaveBeenCalled();
    expect(third).toHaveBeenCalledTimes(1);
  });

  it("passes its subject to the callback", async () => {
    const watchDeadline = await onFakeClock();
    const onTimeout = vi.fn();
    const subject = { read: "stalled" };
    watchDeadline(100, onTimeout, subject);
    vi.advanceTimersByTime(100);
    expect(onTimeout).toHaveBeenCalledWith(subject);
  });

  it("does not keep the process alive while a deadline is pending", async () => {
    // On Node's own timers, where getActiveResourcesInfo lists what holds the process open.
    vi.resetModules();
    const { watchDeadline } = await import("../src/http/read-timeout.js");
    const refTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = refTimers();
    const watch = watchDeadline(60_000, () => {});
    expect(refTimers()).toBe(before);
    watch.cancel();
  });
});

type HandleKind = "number" | "object without unref" | "none";

/** Timers that hand out handles of `kind` (the fake clock still runs them). */
function handlesOf(kind: HandleKind): void {
  const fake = { setTimeout, clearTimeout, setInterval, clearInterval };
  const handles = new Map<unknown, ReturnType<typeof setTimeout>>();
  let next = 1;
  const handOut = (timer: ReturnType<typeof setTimeout>): unknown => {
    const handle = kind === "number" ? next++ : kind === "none" ? undefined : { id: next++ };
    if (handle !== undefined) handles.set(handle, timer);
    return handle;
  };
  vi.stubGlobal("setTimeout", (fn: () => void, ms: number) => handOut(fake.setTimeout(fn, ms)));
  vi.stubGlobal("clearTimeout", (handle: unknown) => fake.clearTimeout(handles.get(handle)));
  vi.stubGlobal("setInterval", (fn: () => void, ms: number) => handOut(fake.setInterval(fn, ms)));
  vi.stubGlobal("clearInterval", (handle: unknown) => fake.clearInterval(handles.get(handle)));
}

describe("watchDeadline where timer handles cannot be unref'd (a plain timer each)", () => {
  it.each<HandleKind>(["number", "object without unref", "none"])("fires on time with %s handles", async (kind) => {
    const watchDeadline = await onFakeClock(() => handlesOf(kind));
    const onTimeout = vi.fn();
    watchDeadline(100, onTimeout);
    expectFiredBetween(onTimeout, 99, 100);
  });

  it.each<HandleKind>(["number", "object without unref", "none"])(
    "passes its subject with %s handles",
    async (kind) => {
      const watchDeadline = await onFakeClock(() => handlesOf(kind));
      const onTimeout = vi.fn();
      watchDeadline(100, onTimeout, "subject");
      vi.advanceTimersByTime(100);
      expect(onTimeout).toHaveBeenCalledWith("subject");
    },
  );

  it.each<HandleKind>(["number", "object without unref"])(
    "never fires once cancelled, with %s handles",
    async (kind) => {
      vi.useFakeTimers({ toFake: [...FAKED] });
      handlesOf(kind);
      vi.resetModules();
      const { watchDeadline } = await import("../src/http/read-timeout.js");
      const onTimeout = vi.fn();
      watchDeadline(100, onTimeout).cancel();
      vi.advanceTimersByTime(200);
      expect(onTimeout).not.toHaveBeenCalled();
      expect(vi.getTimerCount()).toBe(0);
    },
  );
});

describe("readFetchBody's deadline", () => {
  it("is released when the body has been read: nothing stays scheduled", async () => {
    // The reader's own copy of the module (not a fresh one: the body readers' module-level
    // constants stay out of this test), untouched until now, so it meets the fake clock first.
    vi.useFakeTimers({ toFake: [...FAKED] });
    const request = new Request("https://example.test/hook", { method: "POST", body: "{}" });
    expect(new TextDecoder().decode(await readFetchBody(request, 100, 10_000))).toBe("{}");
    // One sweep later the interval finds nothing pending and stops.
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
