// Observability section: what the delivery record costs per request on the Express route at
// 1 KiB: ours with recording off, with the default log (refusals only), with pino writing
// every record to a file, and with pino plus the OpenTelemetry SDK (a span and three metrics
// per delivery); and the verification floor route writing the same log line, span and
// metrics by hand. Server CPU per request, medians over rounds that rotate the order (the
// machine is shared) and overheads paired round by round; requests/s are shown too. Timings
// on a shared machine move by more than these overheads: `pnpm bench:instructions` counts them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureRoute, startServerProcess } from "./http-load.mjs";
import { formatOps, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";
import { OBSERVABILITY_ROUTES } from "./servers/observability-apps.mjs";

const LABELS = {
  off: "ours, log: false",
  default: "ours, default log",
  pino: "ours, pino to a file",
  otel: "ours, pino + OpenTelemetry SDK",
  "floor-off": "floor",
  "floor-pino": "floor + pino by hand",
  "floor-otel": "floor + pino + OpenTelemetry by hand",
};
/** Each route's overhead is against its own route without recording. */
const baseOf = (route) => (route.startsWith("floor") ? "floor-off" : "off");
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function measureAll({ duration, rounds, log }) {
  const dir = mkdtempSync(join(tmpdir(), "colivara-bench-log-"));
  const script = fileURLToPath(new URL("./servers/observability-servers.mjs", import.meta.url));
  const servers = {};
  const runs = Object.fromEntries(OBSERVABILITY_ROUTES.map((route) => [route, []]));
  try {
    for (const route of OBSERVABILITY_ROUTES) {
      servers[route] = await startServerProcess(script, [route, join(dir, `${route}.log`)], { BENCH_SECRET: SECRET });
    }
    const body = upsertSuccessBody(1 * KiB);
    const headers = signDelivery(body);
    const url = (route) => `http://127.0.0.1:${servers[route].ports[route]}/hook`;
    for (const route of OBSERVABILITY_ROUTES)
      await measureRoute(servers[route], url(route), { body, headers, duration: 1 });
    for (let round = 0; round < rounds; round++) {
      log(`  1 KiB: round ${round + 1}/${rounds} (${OBSERVABILITY_ROUTES.length} routes × ${duration} s)…`);
      for (let i = 0; i < OBSERVABILITY_ROUTES.length; i++) {
        const route = OBSERVABILITY_ROUTES[(i + round) % OBSERVABILITY_ROUTES.length];
        runs[route].push(await measureRoute(servers[route], url(route), { body, headers, duration }));
      }
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function observabilitySection({ quick = false, log = () => {} } = {}) {
  const runs = await measureAll({ duration: quick ? 1 : 2, rounds: quick ? 3 : 5, log });
  const of = (key) => Object.fromEntries(OBSERVABILITY_ROUTES.map((r) => [r, median(runs[r].map((run) => run[key]))]));
  const cpu = of("cpuPerRequest");
  const rps = of("rps");
  // Ratios are paired round by round: a burst of load on the shared machine hits both sides.
  const perRound = (ratio) => median(runs.off.map((_, i) => ratio(i)));
  const cpuOf = (route, i) => runs[route][i].cpuPerRequest;
  const relativeIn = (route, i) => cpuOf(route, i) / cpuOf(baseOf(route), i);
  const relative = (route) => perRound((i) => relativeIn(route, i));
  const table = renderTable(
    ["Express route, 1 KiB", "req/s", "CPU µs/req", "overhead µs/req", "overhead"],
    OBSERVABILITY_ROUTES.map((route) => {
      const own = route === baseOf(route);
      return [
        LABELS[route],
        formatOps(rps[route]),
        cpu[route].toFixed(1),
        own ? "" : perRound((i) => cpuOf(route, i) - cpuOf(baseOf(route), i)).toFixed(1),
        own ? "" : `${((relative(route) - 1) * 100).toFixed(1)}%`,
      ];
    }),
  );
  const againstFloor = (ours, floor) => perRound((i) => relativeIn(floor, i) / relativeIn(ours, i));
  return {
    name: "observability",
    title: "Observability: the delivery record's cost per request (Express, server CPU per request)",
    table,
    results: {
      cpuMicrosPerRequest: cpu,
      rps,
      overhead: Object.fromEntries(OBSERVABILITY_ROUTES.map((route) => [route, relative(route) - 1])),
    },
    checks: [
      {
        name: "the original aim, pino + OpenTelemetry within 5% of log: false (out of reach: see the floor's own overhead)",
        target: 0.95,
        actual: 1 / relative("otel"),
        pass: relative("otel") <= 1.05,
      },
      {
        name: "pino to a file costs ours (relative to its route) within 5% of what it costs the floor by hand",
        target: 0.95,
        actual: againstFloor("pino", "floor-pino"),
        pass: againstFloor("pino", "floor-pino") >= 0.95,
      },
      {
        name: "pino + OpenTelemetry costs ours within 5% of what it costs the floor by hand",
        target: 0.95,
        actual: againstFloor("otel", "floor-otel"),
        pass: againstFloor("otel", "floor-otel") >= 0.95,
      },
    ],
  };
}
