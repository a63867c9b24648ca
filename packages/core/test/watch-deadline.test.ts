import { describe, expect, it } from "vitest";
import { watchDeadline } from "../src/http/read-timeout.js";

/** Resolves with the performance.now() at which the watch fired. */
function fired(ms: number): { at: Promise<number>; cancel: () => void } {
  let cancel = () => {};
  const at = new Promise<number>((resolve) => {
    const watch = watchDeadline(ms, () => resolve(performance.now()));
    cancel = () => watch.cancel();
  });
  return { at, cancel };
}

describe("watchDeadline (the shared read deadline)", () => {
  it("fires once, never before its deadline", async () => {
    const started = performance.now();
    let calls = 0;
    await new Promise<void>((resolve) => {
      watchDeadline(40, () => {
        calls++;
        resolve();
      });
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    // Let several more sweeps pass: it is not called again.
    await fired(60).at;
    expect(calls).toBe(1);
  });

  it("does not fire once cancelled, while other watches still do", async () => {
    let cancelledCalls = 0;
    watchDeadline(20, () => cancelledCalls++).cancel();
    const later = fired(50);
    await later.at;
    expect(cancelledCalls).toBe(0);
  });

  it("serves a short deadline added while a long one is pending, and each in its order", async () => {
    const order: string[] = [];
    const long = new Promise<void>((resolve) => {
      watchDeadline(2_000, () => {
        order.push("long");
        resolve();
      });
    });
    const started = performance.now();
    const short = fired(30);
    const at = await short.at;
    expect(at - started).toBeGreaterThanOrEqual(30);
    expect(order).toEqual([]);
    await long;
    expect(order).toEqual(["long"]);
  });

  it("fires a watch whose callback adds another (a sweep may see new watches)", async () => {
    let firstAt = 0;
    let secondCalls = 0;
    const secondAt = await new Promise<number>((resolve) => {
      watchDeadline(15, () => {
        firstAt = performance.now();
        watchDeadline(15, () => {
          secondCalls++;
          resolve(performance.now());
        });
      });
    });
    // The new watch waited its own deadline from when it was added, and fired once.
    expect(firstAt).toBeGreaterThan(0);
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(15);
    await fired(40).at;
    expect(secondCalls).toBe(1);
  });
});
