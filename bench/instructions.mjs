// `pnpm bench:instructions`: instructions per request of each Express and Fastify route
// (ours, bare, floor, svix) at 1 KiB, counted by valgrind's callgrind. Unlike requests/s on
// a shared machine, the count does not move between runs. Each route runs twice, with a
// short and a long series of deliveries; the difference divided by the extra deliveries
// leaves out start-up and warm-up. Needs valgrind (apt-get install valgrind); takes minutes.
//
// Only 1 KiB is counted: under valgrind OpenSSL cannot use the CPU's SHA extensions, so at
// larger bodies the count overstates the HMAC's share.
import { execFile, execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { renderTable } from "./lib.mjs";

const run = promisify(execFile);
const driver = fileURLToPath(new URL("./servers/instruction-driver.mjs", import.meta.url));
const SHORT = 400;
const LONG = 1400;
const ROUTES = ["bare", "floor", "ours", "svix"];

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("valgrind is not installed (apt-get install valgrind); nothing measured.");
  process.exit(2);
}

async function instructions(framework, route, count) {
  const { stderr } = await run(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      driver,
      framework,
      route,
      "1",
      String(count),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const match = /Collected : (\d+)/.exec(stderr);
  if (!match) throw new Error(`no instruction count for ${framework} ${route}:\n${stderr}`);
  return Number(match[1]);
}

const jobs = ["express", "fastify"].flatMap((framework) =>
  ROUTES.flatMap((route) => [SHORT, LONG].map((count) => ({ framework, route, count }))),
);
const counts = new Map();
// One valgrind per core: the counts do not depend on what else runs.
const queue = [...jobs];
await Promise.all(
  cpus().map(async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      process.stderr.write(`  ${job.framework} ${job.route}, ${job.count} deliveries…\n`);
      counts.set(`${job.framework}/${job.route}/${job.count}`, await instructions(job.framework, job.route, job.count));
    }
  }),
);

const perRequest = (framework, route) =>
  (counts.get(`${framework}/${route}/${LONG}`) - counts.get(`${framework}/${route}/${SHORT}`)) / (LONG - SHORT);
const rows = ["express", "fastify"].map((framework) => {
  const per = Object.fromEntries(ROUTES.map((route) => [route, perRequest(framework, route)]));
  return [
    framework,
    ...ROUTES.map((route) => `${(per[route] / 1e6).toFixed(3)}M`),
    `${(per.bare / per.ours).toFixed(2)}x`,
    `${(per.bare / per.floor).toFixed(2)}x`,
    `${(per.svix / per.ours).toFixed(2)}x`,
  ];
});
console.log("Instructions per request at 1 KiB (client and server in one process; callgrind)\n");
console.log(renderTable(["route", ...ROUTES, "ours/bare", "floor/bare", "ours/svix"], rows));
console.log("\nRatios are bare/ours etc., so higher is better, as in requests/s.");
