// Exactly-once through a Redis Cluster failover: a primary killed with SIGKILL mid-traffic
// while handlers run (5-50 ms, or 1-2 s), its replica promoted, then a copy of every delivery sent. Counts only; the figures are
// printed. `SIMULATION=full` (pnpm simulate) runs it with more traffic. What waitForReplicas
// costs on a healthy cluster is a figure of `pnpm bench --only redis-wait`.
import { describe, expect, it } from "vitest";
import type { RedisStoreOptions } from "../src/index.js";
import { type FailoverFigures, type FailoverOptions, runFailover } from "./failover-scenario.js";

const FULL = process.env.SIMULATION === "full";
const SIZE = FULL ? { before: 300, during: 600, stream: 300 } : { before: 30, during: 60, stream: 30 };

function print(name: string, figures: FailoverFigures): void {
  console.log(`[failover] ${name}: ${JSON.stringify(figures)}`);
}

async function run(name: string, options: Omit<FailoverOptions, keyof typeof SIZE>): Promise<FailoverFigures> {
  const figures = await runFailover({ ...SIZE, ...options });
  print(name, figures);
  expect(figures.neverHandled).toBe(0);
  expect(figures.onKilledPrimary).toBeGreaterThan(0);
  return figures;
}

const QUICK: FailoverOptions["handlerMs"] = [5, 50];
const SLOW: FailoverOptions["handlerMs"] = [1000, 2000];

describe("a primary killed while its replica lags (the replication window held open), handlers of 5-50 ms", () => {
  // Measured, not asserted: without WAIT, claims and marks acknowledged only by the dead
  // primary are lost and their copies handled again (the figure is printed).
  it("as it is: every delivery is handled; doubles counted", async () => {
    await run("lagging replica, store as it is, 5-50 ms", { store: {}, lagReplica: true, handlerMs: QUICK });
  }, 120_000);

  it("with waitForReplicas: 1, no delivery is handled twice: unacknowledged claims answer 503 and are retried, marks are retried until acknowledged", async () => {
    const figures = await run("lagging replica, waitForReplicas 1, 5-50 ms", {
      store: { waitForReplicas: 1, waitTimeoutMs: 200 },
      lagReplica: true,
      handlerMs: QUICK,
    });
    expect(figures.handledTwice).toBe(0);
    expect(figures.unavailable + figures.timedOut).toBeGreaterThan(0);
  }, 120_000);
});

describe("a primary killed with a healthy replica while handlers are in flight", () => {
  // A handled mark that meets the dead primary is retried until the promoted replica takes
  // it. Left without WAIT: a write the primary acknowledged in its last instant, before its
  // replica had it (measured, printed). With WAIT: none, asserted.
  it.each<[string, RedisStoreOptions, FailoverOptions["handlerMs"]]>([
    ["store as it is, 5-50 ms", { leaseSeconds: 2 }, QUICK],
    ["waitForReplicas 1, 5-50 ms", { leaseSeconds: 2, waitForReplicas: 1, waitTimeoutMs: 200 }, QUICK],
    ["store as it is, 1-2 s", { leaseSeconds: 5 }, SLOW],
    ["waitForReplicas 1, 1-2 s", { leaseSeconds: 5, waitForReplicas: 1, waitTimeoutMs: 200 }, SLOW],
  ])(
    "every delivery is handled; doubles counted (%s)",
    async (name, store, handlerMs) => {
      const figures = await run(`healthy replica, ${name}`, { store, lagReplica: false, handlerMs });
      if (store.waitForReplicas) expect(figures.handledTwice).toBe(0);
    },
    120_000,
  );
});
