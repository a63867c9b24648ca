// Instructions per 1 KiB request of one route, counted by valgrind's callgrind: what
// `pnpm bench:instructions` (instructions.mjs) prints and the `instructions` section of
// `pnpm bench` (run.mjs) adds to each adapter's summary. Unlike requests/s on a shared
// machine, the count does not move with the machine's other load.
//
// Only 1 KiB is counted: under valgrind OpenSSL cannot use the CPU's SHA extensions, so at
// larger bodies the count overstates the HMAC's share.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measuredInstructions } from "./callgrind.mjs";

export { cannotCount } from "./callgrind.mjs";

const driver = fileURLToPath(new URL("./servers/instruction-driver.mjs", import.meta.url));

/**
 * Deliveries before the measured series. Under valgrind V8's optimising compiler (on a
 * helper thread) gets little time, so warm code arrives late: after 400 deliveries the
 * Fetch floor still took 357K instructions per request, after 4,000 it took 239K. 3,000 is
 * within a few percent of that and keeps a run to minutes.
 */
export const WARMUP = 3000;
/**
 * Measured deliveries by default: one route's count over 600 moves by up to about 10% between
 * runs, over 3,000 by about 1% (a run takes about half as long again). Compare two builds,
 * or judge a target, at 3,000.
 */
export const MEASURED = 600;

/** The adapters whose routes the driver serves (servers/instruction-driver.mjs), by display name. */
export const ADAPTERS = {
  express: "Express",
  fastify: "Fastify",
  "next-pages": "Next Pages",
  "next-app": "Next App Router",
  fetch: "Fetch handler",
  hono: "Hono",
};

/** Most instructions per request ours may take, as a multiple of its floor's. */
export const INSTRUCTION_TARGET = 1.05;

/**
 * Counts each job's instructions per request, `parallel` valgrinds at a time (the counts do
 * not depend on what else runs). Resolves a Map from `adapter/route` to the count.
 * @param {{ adapter: string, route: string, measured?: number }[]} jobs
 * @param {{ parallel?: number, log?: (line: string) => void }} [options]
 */
export async function countInstructions(jobs, { parallel = cpus().length, log = () => {} } = {}) {
  const dumps = mkdtempSync(join(tmpdir(), "colivara-callgrind-"));
  const counts = new Map();
  const queue = [...jobs];
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          log(`  ${job.adapter} ${job.route} under callgrind…`);
          const count = await countOne(dumps, job.adapter, job.route, job.measured ?? MEASURED);
          counts.set(`${job.adapter}/${job.route}`, count);
        }
      }),
    );
  } finally {
    rmSync(dumps, { recursive: true, force: true });
  }
  return counts;
}

function countOne(dumps, adapter, route, measured) {
  const args = [driver, adapter, route, "1", String(WARMUP), String(measured)];
  return measuredInstructions(join(dumps, `${adapter}-${route}`), args, measured);
}
