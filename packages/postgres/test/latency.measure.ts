// What the PostgreSQL store costs a delivery: claim + complete, in a row, through pg (Pool)
// and postgres.js, in interleaved rounds so both see the same machine, on a server with fsync
// on. A measurement, not a test: `pnpm bench --only postgres` runs it and prints the figures
// (MEASURE_COUNT deliveries per client, written as JSON to MEASURE_OUT).
import { writeFileSync } from "node:fs";
import { it } from "vitest";
import { startPostgresServer } from "../../../test/support/postgres-server.js";
import { type DedupeStore, migrate, postgresStore } from "../src/index.js";
import { CLIENTS, type Connected } from "./clients.js";

const COUNT = Number(process.env.MEASURE_COUNT ?? 500);
const ROUNDS = 5;

/** Milliseconds of one claim + complete, `count` times in a row, on fresh ids. */
async function timings(store: DedupeStore, prefix: string, count: number): Promise<number[]> {
  const spent: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const claim = await store.claim(`${prefix}_${i}`);
    await store.complete(`${prefix}_${i}`, claim.token as string);
    spent.push(performance.now() - started);
  }
  return spent;
}

it("claim + complete through pg and postgres.js", async () => {
  const server = await startPostgresServer({ fsync: true });
  const opened: Connected[] = [];
  try {
    const pg = await CLIENTS["pg Pool"](server.url);
    const postgresJs = await CLIENTS["postgres.js"](server.url);
    opened.push(pg, postgresJs);
    await migrate(pg.client);
    const stores = { pg: postgresStore(pg.client), postgresJs: postgresStore(postgresJs.client) };
    await timings(stores.pg, "warm_pg", 100);
    await timings(stores.postgresJs, "warm_js", 100);
    const figures = { pg: [] as number[], postgresJs: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      figures.pg.push(...(await timings(stores.pg, `pg_${round}`, Math.ceil(COUNT / ROUNDS))));
      figures.postgresJs.push(...(await timings(stores.postgresJs, `js_${round}`, Math.ceil(COUNT / ROUNDS))));
    }
    const out = process.env.MEASURE_OUT;
    if (out !== undefined) writeFileSync(out, JSON.stringify(figures));
  } finally {
    await Promise.all(opened.map((connected) => connected.close()));
    await server.remove();
  }
});
