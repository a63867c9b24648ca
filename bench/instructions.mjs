// `pnpm bench:instructions`: instructions per request of every adapter's routes (ours, bare,
// floor, svix) at 1 KiB, counted by valgrind's callgrind. Unlike requests/s on a shared
// machine, the count does not move with the machine's other load. Each route runs once
// under valgrind: a warm-up series, then a measured one whose instructions callgrind dumps
// on their own (see servers/instruction-driver.mjs), divided by its deliveries: the main
// thread's instructions per request (JavaScript, the HTTP stack, hashing, and the garbage
// collector's work on that thread), client and server together. Needs
// valgrind (apt-get install valgrind); takes a while (one valgrind per core at a time).
//
//   node bench/instructions.mjs [--only express,fastify] [--routes ours,floor] [--jobs 2] [--measured 3000] [--json]
//
// Only 1 KiB is counted: under valgrind OpenSSL cannot use the CPU's SHA extensions, so at
// larger bodies the count overstates the HMAC's share.
//
// The instruction target: ours at most 5% above its floor (the framework's raw body, one
// HMAC, a constant-time compare, JSON.parse). Reported as PASS/MISS, never as the exit code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measuredInstructions } from "./callgrind.mjs";
import { OBSERVABILITY_MEASURED, reportObservability } from "./instructions-observability.mjs";
import { renderTable } from "./lib.mjs";
import { OBSERVABILITY_ROUTES } from "./servers/observability-apps.mjs";

const driver = fileURLToPath(new URL("./servers/instruction-driver.mjs", import.meta.url));
/**
 * Deliveries before the measured series, and in it. Under valgrind V8's optimising compiler
 * (on a helper thread) gets little time, so warm code arrives late: after 400 deliveries the
 * Fetch floor still took 357K instructions per request, after 4,000 it took 239K. 3,000 is
 * within a few percent of that and keeps a run to minutes.
 */
const WARMUP = 3000;
const MEASURED = 600;
const ROUTES = ["ours", "floor", "bare", "svix"];
const ADAPTERS = {
  express: "Express",
  fastify: "Fastify",
  "next-pages": "Next Pages",
  "next-app": "Next App Router",
  fetch: "Fetch handler",
  hono: "Hono",
  // Not an adapter: the Express route with recording off and on, and the floor recording the
  // same by hand (servers/observability-apps.mjs); its own routes and table.
  observability: "Express, delivery record",
};
/** Most instructions per request ours may take, as a multiple of its floor's. */
const TARGET = 1.05;

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    routes: { type: "string" },
    jobs: { type: "string" },
    // More measured deliveries for comparing two builds: 600 move by up to about 10% between
    // runs, 3,000 by about 1% (the observability routes always count 3,000).
    measured: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const adapters = values.only?.split(",") ?? Object.keys(ADAPTERS);
const routes = values.routes?.split(",") ?? ROUTES;
for (const name of adapters) if (!(name in ADAPTERS)) throw new Error(`unknown adapter ${name}`);

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("valgrind is not installed (apt-get install valgrind); nothing measured.");
  process.exit(2);
}

const dumps = mkdtempSync(join(tmpdir(), "colivara-callgrind-"));
process.on("exit", () => rmSync(dumps, { recursive: true, force: true }));

async function instructions(adapter, route, measured) {
  const out = join(dumps, `${adapter}-${route}`);
  return measuredInstructions(out, [driver, adapter, route, "1", String(WARMUP), String(measured)], measured);
}

const routesOf = (adapter) => (adapter === "observability" ? OBSERVABILITY_ROUTES : routes);
const jobs = adapters.flatMap((adapter) => routesOf(adapter).map((route) => ({ adapter, route })));
const counts = new Map();
// One valgrind per core by default: the counts do not depend on what else runs.
const queue = [...jobs];
await Promise.all(
  Array.from({ length: Number(values.jobs ?? cpus().length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      process.stderr.write(`  ${job.adapter} ${job.route}…\n`);
      const measured = job.adapter === "observability" ? OBSERVABILITY_MEASURED : Number(values.measured ?? MEASURED);
      counts.set(`${job.adapter}/${job.route}`, await instructions(job.adapter, job.route, measured));
    }
  }),
);

const perRequest = (adapter, route) => counts.get(`${adapter}/${route}`);
const results = adapters
  .filter((adapter) => adapter !== "observability")
  .map((adapter) => ({
    adapter: ADAPTERS[adapter],
    perRequest: Object.fromEntries(routes.map((route) => [route, perRequest(adapter, route)])),
  }));
const ratio = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(3)}`);
if (results.length > 0) {
  console.log("Instructions per request at 1 KiB (callgrind; client and server in one process)\n");
  console.log(
    renderTable(
      ["adapter", ...routes, "ours÷floor", "bare÷ours", "svix÷ours"],
      results.map(({ adapter, perRequest: per }) => [
        adapter,
        ...routes.map((route) => `${(per[route] / 1e6).toFixed(3)}M`),
        ratio(per.ours, per.floor),
        ratio(per.bare, per.ours),
        ratio(per.svix, per.ours),
      ]),
    ),
  );
  console.log("\nours÷floor: lower is better (target <= 1.05); bare÷ours and svix÷ours: higher is better.\n");
  const checks = results
    .filter((r) => r.perRequest.ours !== undefined && r.perRequest.floor !== undefined)
    .map((r) => ({ adapter: r.adapter, actual: r.perRequest.ours / r.perRequest.floor }));
  for (const check of checks) {
    const pass = check.actual <= TARGET;
    console.log(
      `  ${pass ? "PASS" : "MISS"}  ${check.adapter}: ours within 5% of its floor's instructions: ${check.actual.toFixed(3)}x (target <= ${TARGET}x)`,
    );
  }
}
const observability = adapters.includes("observability")
  ? reportObservability((route) => perRequest("observability", route))
  : undefined;
if (values.json) console.log(JSON.stringify({ warmup: WARMUP, measured: MEASURED, results, observability }, null, 2));
