// The observability part of `pnpm bench:instructions`: instructions per 1 KiB request of the
// Express route with recording off, with the default log, with pino and with pino plus the
// OpenTelemetry SDK, next to the verification floor recording the same by hand
// (servers/observability-apps.mjs). Main thread only: pino's file writes run on libuv's
// thread pool and are not counted, on either side.
import { renderTable } from "./lib.mjs";
import { OBSERVABILITY_ROUTES } from "./servers/observability-apps.mjs";

/**
 * Measured deliveries per route: the overheads judged here are 0 to 10% of a request, and
 * over 600 deliveries one route's count moved by up to 2% between runs; over 3,000, by 0.5%.
 */
export const OBSERVABILITY_MEASURED = 3000;

/** Recording may cost ours at most this much more, relative to its route, than by hand. */
const AGAINST_FLOOR = 0.99;
/** Recording off (the default log, which keeps only refusals): at most 1% over `log: false`. */
const OFF = 1.01;

const baseOf = (route) => (route.startsWith("floor") ? "floor-off" : "off");

/**
 * Prints the table and the checks; returns the counts and relative costs for `--json`.
 * @param {(route: string) => number} countOf instructions per request of a route
 */
export function reportObservability(countOf) {
  const relative = (route) => countOf(route) / countOf(baseOf(route));
  console.log("\nThe delivery record, Express at 1 KiB (instructions per request, main thread)\n");
  console.log(
    renderTable(
      ["route", "instructions", "over its route without recording"],
      OBSERVABILITY_ROUTES.map((route) => [
        route,
        `${(countOf(route) / 1e3).toFixed(1)}K`,
        route === baseOf(route) ? "" : `${((relative(route) - 1) * 100).toFixed(2)}%`,
      ]),
    ),
  );
  const checks = [
    { name: "the default log within 1% of log: false", actual: relative("default"), pass: relative("default") <= OFF },
    ...["pino", "otel"].map((route) => {
      const actual = relative(`floor-${route}`) / relative(route);
      return {
        name: `${route === "pino" ? "pino" : "pino + OpenTelemetry"} costs ours within 1% of what it costs the floor by hand`,
        actual,
        pass: actual >= AGAINST_FLOOR,
      };
    }),
    {
      name: "the original aim, pino + OpenTelemetry within 5% of log: false (the floor's own cost puts it out of reach)",
      actual: relative("otel"),
      pass: relative("otel") <= 1.05,
    },
  ];
  console.log("");
  for (const check of checks)
    console.log(`  ${check.pass ? "PASS" : "MISS"}  ${check.name}: ${check.actual.toFixed(3)}x`);
  return {
    perRequest: Object.fromEntries(OBSERVABILITY_ROUTES.map((route) => [route, countOf(route)])),
    relative: Object.fromEntries(OBSERVABILITY_ROUTES.map((route) => [route, relative(route)])),
  };
}
