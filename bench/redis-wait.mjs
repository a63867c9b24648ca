// redis-wait section: what `waitForReplicas: 1` costs a delivery's dedupe on a healthy Redis
// Cluster (three primaries, one replica each, on this machine): claim + complete in a row,
// as it is and with WAIT, interleaved rounds. The cluster comes from the test suite's own
// starter, so the measurement runs under vitest (packages/redis/test/wait-latency.measure.ts,
// vitest.measure.config.ts); needs redis-server (`pnpm system-deps`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, renderTable } from "./lib.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function redisWaitSection({ quick = false, log = () => {} } = {}) {
  const count = quick ? 500 : 5000;
  const dir = mkdtempSync(join(tmpdir(), "colivara-bench-wait-"));
  const out = join(dir, "figures.json");
  try {
    log(`  ${count} deliveries per mode on a six-node Redis Cluster…`);
    const run = spawnSync(
      process.execPath,
      [vitest, "run", "--config", "vitest.measure.config.ts", "packages/redis/test/wait-latency.measure.ts"],
      { cwd: root, encoding: "utf8", env: { ...process.env, MEASURE_COUNT: String(count), MEASURE_OUT: out } },
    );
    if (run.status !== 0) throw new Error(`the redis-wait measurement failed:\n${run.stdout}\n${run.stderr}`);
    const { plain, waiting } = JSON.parse(readFileSync(out, "utf8"));
    const row = (label, values) => [
      label,
      (values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(2),
      quantile(values, 0.5).toFixed(2),
      quantile(values, 0.99).toFixed(2),
    ];
    const cost = median(waiting) - median(plain);
    return {
      name: "redis-wait",
      title: "Redis Cluster: claim + complete per delivery, ms (healthy cluster, one replica per primary)",
      table: renderTable(["store", "mean", "p50", "p99"], [row("as it is", plain), row("waitForReplicas: 1", waiting)]),
      results: { count, plainMedianMs: median(plain), waitingMedianMs: median(waiting), waitCostMs: cost },
      checks: [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
