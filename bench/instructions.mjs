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
import { parseArgs } from "node:util";
import {
  cannotCount,
  countInstructions,
  ADAPTERS as FRAMEWORKS,
  MEASURED,
  INSTRUCTION_TARGET as TARGET,
  WARMUP,
} from "./instruction-counts.mjs";
import { OBSERVABILITY_MEASURED, reportObservability } from "./instructions-observability.mjs";
import { renderTable } from "./lib.mjs";
import { OBSERVABILITY_ROUTES } from "./servers/observability-apps.mjs";

const ROUTES = ["ours", "floor", "bare", "svix"];
const ADAPTERS = {
  ...FRAMEWORKS,
  // Not an adapter: the Express route with recording off and on, and the floor recording the
  // same by hand (servers/observability-apps.mjs); its own routes and table.
  observability: "Express, delivery record",
};

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

const missing = cannotCount();
if (missing) {
  console.error(`${missing}; nothing measured.`);
  process.exit(2);
}

const routesOf = (adapter) => (adapter === "observability" ? OBSERVABILITY_ROUTES : routes);
const jobs = adapters.flatMap((adapter) =>
  routesOf(adapter).map((route) => ({
    adapter,
    route,
    measured: adapter === "observability" ? OBSERVABILITY_MEASURED : Number(values.measured ?? MEASURED),
  })),
);
const counts = await countInstructions(jobs, {
  parallel: values.jobs === undefined ? undefined : Number(values.jobs),
  log: (line) => process.stderr.write(`${line}\n`),
});

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
