// Exactly-once through a Redis Cluster failover: a primary killed with SIGKILL mid-traffic,
// its replica promoted, then a copy of every delivery sent. Counts only; the figures are
// printed. `SIMULATION=full` (pnpm simulate) runs it with more traffic.
import { describe, expect, it } from "vitest";
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

describe("a primary killed while its replica lags (the replication window held open)", () => {
  it("as it is: claims acknowledged only by the dead primary are lost, and their copies are handled again", async () => {
    const figures = await run("lagging replica, store as it is", { store: {}, lagReplica: true });
    expect(figures.handledTwice).toBeGreaterThan(0);
  }, 120_000);

  it("with waitForReplicas: 1, no delivery is handled twice: unacknowledged claims answer 503 and are retried", async () => {
    const figures = await run("lagging replica, waitForReplicas 1", {
      store: { waitForReplicas: 1, waitTimeoutMs: 200 },
      lagReplica: true,
    });
    expect(figures.handledTwice).toBe(0);
    expect(figures.unavailable).toBeGreaterThan(0);
  }, 120_000);
});
