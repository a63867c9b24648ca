// Fastify section: requests/s of a route verified by the plugin against a bare Fastify route
// (its own JSON parsing, no verification) and against the hand-written raw-buffer + svix
// route, same bodies, servers in their own process.
import { fileURLToPath } from "node:url";
import { requestsPerSecond, startServerProcess } from "./http-load.mjs";
import { formatOps, formatSize, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const SIZES = [1 * KiB, 64 * KiB];
const ROUTES = ["ours", "bare", "svix"];
const TARGET = 0.9;
const ROUNDS = 2;

/**
 * Runs the Fastify comparison (about 35 s; 20 s with `quick`) and returns its results.
 *
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function fastifySection({ quick = false, log = () => {} } = {}) {
  const duration = quick ? 1 : 2;
  const script = fileURLToPath(new URL("./servers/fastify-servers.mjs", import.meta.url));
  const server = await startServerProcess(script, { BENCH_SECRET: SECRET });
  const results = [];
  try {
    for (const bytes of SIZES) {
      const body = upsertSuccessBody(bytes);
      // Signed right before measuring, so the timestamp is always within the 5-minute window.
      const headers = signDelivery(body);
      const url = (route) => `http://127.0.0.1:${server.ports[route]}/hook`;
      for (const route of ROUTES) await requestsPerSecond(url(route), { body, headers, duration: 1 }); // warm-up
      // Alternating rounds, best of each: background load hits both routes alike.
      const rps = Object.fromEntries(ROUTES.map((route) => [route, 0]));
      for (let round = 1; round <= ROUNDS; round++) {
        for (const route of ROUTES) {
          log(`  ${formatSize(bytes)}: ${route}, round ${round}/${ROUNDS} (${duration} s)…`);
          rps[route] = Math.max(rps[route], await requestsPerSecond(url(route), { body, headers, duration }));
        }
      }
      results.push({
        bytes,
        size: formatSize(bytes),
        rps,
        oursOverBare: rps.ours / rps.bare,
        oursOverSvix: rps.ours / rps.svix,
      });
    }
  } finally {
    await server.stop();
  }
  const checks = results.flatMap((r) => [
    {
      name: `ours >= ${TARGET}x bare Fastify route at ${r.size}`,
      target: TARGET,
      actual: r.oursOverBare,
      pass: r.oursOverBare >= TARGET,
    },
    {
      name: `ours faster than a hand-written raw-buffer + svix route at ${r.size}`,
      target: 1,
      actual: r.oursOverSvix,
      pass: r.oursOverSvix > 1,
    },
  ]);
  const table = renderTable(
    ["body", "ours req/s", "bare req/s", "svix req/s", "ours/bare", "ours/svix"],
    results.map((r) => [
      r.size,
      formatOps(r.rps.ours),
      formatOps(r.rps.bare),
      formatOps(r.rps.svix),
      `${r.oursOverBare.toFixed(2)}x`,
      `${r.oursOverSvix.toFixed(2)}x`,
    ]),
  );
  return {
    name: "fastify",
    title: "Fastify: plugin-verified route vs bare JSON route vs raw-buffer + svix (autocannon, 32 connections)",
    settings: { durationSeconds: duration, rounds: ROUNDS, quick },
    results,
    checks,
    table,
  };
}
