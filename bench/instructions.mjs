// `pnpm bench:instructions`: instructions per request of every adapter's routes (ours, bare,
// floor, svix) at 1 KiB, counted by valgrind's callgrind. Unlike requests/s on a shared
// machine, the count does not move with the machine's other load. Each route runs twice,
// with a short and a long series of deliveries; the difference divided by the extra
// deliveries leaves out start-up and warm-up. Needs valgrind (apt-get install valgrind);
// takes a while (two valgrind runs per route, one per core at a time).
//
//   node bench/instructions.mjs [--only express,fastify] [--routes ours,floor] [--json]
//
// Only 1 KiB is counted: under valgrind OpenSSL cannot use the CPU's SHA extensions, so at
// larger bodies the count overstates the HMAC's share.
//
// The target of issue 14: ours at most 5% above its floor (the framework's raw body, one
// HMAC, a constant-time compare, JSON.parse). Reported as PASS/MISS, never as the exit code.
import { execFile, execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { renderTable } from "./lib.mjs";

const run = promisify(execFile);
const driver = fileURLToPath(new URL("./servers/instruction-driver.mjs", import.meta.url));
const SHORT = 400;
const LONG = 1400;
const ROUTES = ["ours", "floor", "bare", "svix"];
const ADAPTERS = {
  express: "Express",
  fastify: "Fastify",
  "next-pages": "Next Pages",
  "next-app": "Next App Router",
  fetch: "Fetch handler",
  hono: "Hono",
};
/** Most instructions per request ours may take, as a multiple of its floor's. */
const TARGET = 1.05;

const { values } = parseArgs({
  options: { only: { type: "string" }, routes: { type: "string" }, json: { type: "boolean", default: false } },
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

async function instructions(adapter, route, count) {
  const { stderr } = await run(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      driver,
      adapter,
      route,
      "1",
      String(count),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const match = /Collected : (\d+)/.exec(stderr);
  if (!match) throw new Error(`no instruction count for ${adapter} ${route}:\n${stderr}`);
  return Number(match[1]);
}

const jobs = adapters.flatMap((adapter) =>
  routes.flatMap((route) => [SHORT, LONG].map((count) => ({ adapter, route, count }))),
);
const counts = new Map();
// One valgrind per core: the counts do not depend on what else runs.
const queue = [...jobs];
await Promise.all(
  cpus().map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      process.stderr.write(`  ${job.adapter} ${job.route}, ${job.count} deliveries…\n`);
      counts.set(`${job.adapter}/${job.route}/${job.count}`, await instructions(job.adapter, job.route, job.count));
    }
  }),
);

const perRequest = (adapter, route) =>
  (counts.get(`${adapter}/${route}/${LONG}`) - counts.get(`${adapter}/${route}/${SHORT}`)) / (LONG - SHORT);
const results = adapters.map((adapter) => ({
  adapter: ADAPTERS[adapter],
  perRequest: Object.fromEntries(routes.map((route) => [route, perRequest(adapter, route)])),
}));
const ratio = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(3)}`);
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
if (values.json) console.log(JSON.stringify({ short: SHORT, long: LONG, results }, null, 2));
