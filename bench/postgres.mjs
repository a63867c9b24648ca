// postgres section, measured in one run on this machine (one process, interleaved rounds):
//   1. what the PostgreSQL store costs a delivery's dedupe: claim + complete in a row,
//      through pg (Pool) and postgres.js;
//   2. what a hand-off costs before the 202: pgBossHandOff (the mark and the job in one
//      transaction) next to bullmqHandOff, on a redis-server without persistence and on
//      one that fsyncs every write (PostgreSQL here has fsync on: every commit flushed).
// The servers come from the test suite's own starters, so the measurement runs under vitest
// (packages/postgres/test/latency.measure.ts, vitest.measure.config.ts); needs PostgreSQL
// and redis-server (`pnpm system-deps`).
import { latencyRow, median, renderTable, runMeasurement } from "./lib.mjs";

const ROWS = [
  ["pg", "store: claim + complete, pg Pool"],
  ["postgresJs", "store: claim + complete, postgres.js"],
  ["pgBossPg", "hand-off: pg-boss, pg Pool"],
  ["pgBossPostgresJs", "hand-off: pg-boss, postgres.js"],
  ["bullmq", "hand-off: BullMQ, Redis in memory"],
  ["bullmqFsync", "hand-off: BullMQ, Redis AOF fsync always"],
];

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function postgresSection({ quick = false, log = () => {} } = {}) {
  const count = quick ? 500 : 5000;
  log(`  ${count} deliveries per row, PostgreSQL (fsync on) and redis-server…`);
  const figures = runMeasurement("packages/postgres/test/latency.measure.ts", count);
  const results = { count };
  for (const [key] of ROWS) results[`${key}MedianMs`] = median(figures[key]);
  return {
    name: "postgres",
    title:
      "PostgreSQL: store claim + complete, and a hand-off's time to 'stored' (pg-boss vs BullMQ), ms per delivery, one run",
    table: renderTable(
      ["what", "mean", "p50", "p99"],
      ROWS.map(([key, label]) => latencyRow(label, figures[key])),
    ),
    results,
    checks: [],
  };
}
