// redis-wait section: what `waitForReplicas: 1` costs a delivery's dedupe on a healthy Redis
// Cluster (three primaries, one replica each, on this machine): claim + complete in a row,
// as it is and with WAIT, interleaved rounds. The cluster comes from the test suite's own
// starter, so the measurement runs under vitest (packages/redis/test/wait-latency.measure.ts,
// vitest.measure.config.ts); needs redis-server (`pnpm system-deps`).
import { latencyRow, median, renderTable, runMeasurement } from "./lib.mjs";

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function redisWaitSection({ quick = false, log = () => {} } = {}) {
  const count = quick ? 500 : 5000;
  log(`  ${count} deliveries per mode on a six-node Redis Cluster…`);
  const { plain, waiting } = runMeasurement("packages/redis/test/wait-latency.measure.ts", count);
  const cost = median(waiting) - median(plain);
  return {
    name: "redis-wait",
    title: "Redis Cluster: claim + complete per delivery, ms (healthy cluster, one replica per primary)",
    table: renderTable(
      ["store", "mean", "p50", "p99"],
      [latencyRow("as it is", plain), latencyRow("waitForReplicas: 1", waiting)],
    ),
    results: { count, plainMedianMs: median(plain), waitingMedianMs: median(waiting), waitCostMs: cost },
    checks: [],
  };
}
