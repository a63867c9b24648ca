// The `instructions` section of `pnpm bench`: instructions per 1 KiB request of ours and the
// floor, for the adapters this run measures (all six when it measures none), counted by
// valgrind (instruction-counts.mjs), so the summary shows requests/s, heap bytes and
// instructions side by side. Skipped by --quick (a run takes minutes per route) and, with a
// line saying what to install, where valgrind is missing. `pnpm bench:instructions` counts
// every route (bare and svix too) and the delivery record.
import { ADAPTERS, cannotCount, countInstructions, INSTRUCTION_TARGET } from "./instruction-counts.mjs";
import { formatSize, KiB, renderTable } from "./lib.mjs";

/**
 * Measured deliveries per route: the target is 5% over the floor, and over 600 deliveries a
 * count moves by up to about 10% between runs; over 3,000, by about 1%.
 */
const MEASURED = 3000;

/**
 * @param {{ quick?: boolean, log?: (line: string) => void, adapters?: string[] }} [options]
 *   `adapters`: the adapter sections of this run (keys of ADAPTERS)
 */
export async function instructionsSection({ quick = false, log = () => {}, adapters = [] } = {}) {
  const title = "Instructions per request at 1 KiB (callgrind, main thread; ours and the floor)";
  const names = adapters.length > 0 ? adapters.filter((name) => name in ADAPTERS) : Object.keys(ADAPTERS);
  const skipped = quick ? "--quick: not counted (`pnpm bench:instructions` counts them)" : cannotCount();
  if (skipped !== undefined) return { name: "instructions", title, table: `  ${skipped}`, results: [], checks: [] };
  const jobs = names.flatMap((adapter) => ["ours", "floor"].map((route) => ({ adapter, route, measured: MEASURED })));
  const counts = await countInstructions(jobs, { log });
  const results = names.map((name) => {
    const ours = counts.get(`${name}/ours`);
    const floor = counts.get(`${name}/floor`);
    return {
      section: name,
      adapter: ADAPTERS[name],
      bytes: KiB,
      size: formatSize(KiB),
      instructions: { ours, floor },
      instructionsOverFloor: ours / floor,
    };
  });
  const table = renderTable(
    ["adapter", "ours", "floor", "ours/floor"],
    results.map((r) => [
      r.adapter,
      `${(r.instructions.ours / 1e3).toFixed(0)}K`,
      `${(r.instructions.floor / 1e3).toFixed(0)}K`,
      `${r.instructionsOverFloor.toFixed(3)}x`,
    ]),
  );
  const checks = results.map((r) => ({
    name: `${r.adapter} within ${Math.round((INSTRUCTION_TARGET - 1) * 100)}% of its floor's instructions per request at 1 KiB`,
    target: INSTRUCTION_TARGET,
    actual: r.instructionsOverFloor,
    pass: r.instructionsOverFloor <= INSTRUCTION_TARGET,
  }));
  return { name: "instructions", title, table, results, checks, measured: MEASURED };
}
