// postgres section: what the PostgreSQL store costs a delivery's dedupe: claim + complete in
// a row, through pg (Pool) and postgres.js, interleaved rounds, on a throwaway PostgreSQL on
// this machine with fsync on (every commit flushed, as in production). The server comes from
// the test suite's own starter, so the measurement runs under vitest
// (packages/postgres/test/latency.measure.ts, vitest.measure.config.ts); needs PostgreSQL
// (`pnpm system-deps`).
import { latencyRow, median, renderTable, runMeasurement } from "./lib.mjs";

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function postgresSection({ quick = false, log = () => {} } = {}) {
  const count = quick ? 500 : 5000;
  log(`  ${count} deliveries per client on PostgreSQL (fsync on)…`);
  const { pg, postgresJs } = runMeasurement("packages/postgres/test/latency.measure.ts", count);
  return {
    name: "postgres",
    title: "PostgreSQL store: claim + complete per delivery, ms (one server on 127.0.0.1, fsync on)",
    table: renderTable(
      ["client", "mean", "p50", "p99"],
      [latencyRow("pg Pool", pg), latencyRow("postgres.js", postgresJs)],
    ),
    results: { count, pgMedianMs: median(pg), postgresJsMedianMs: median(postgresJs) },
    checks: [],
  };
}
