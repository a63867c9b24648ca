// Express section: requests/s of a verified route against a bare express.raw() route and
// against the hand-written express.raw() + svix route, same bodies, one run.
import { fileURLToPath } from "node:url";
import { requestsPerSecond, startServerProcess } from "./http-load.mjs";
import { formatOps, formatSize, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const SIZES = [1 * KiB, 64 * KiB];
const ROUTES = ["ours", "bare", "svix"];

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function expressSection({ quick = false, log = () => {} } = {}) {
  const duration = quick ? 2 : 5;
  const script = fileURLToPath(new URL("./servers/express-servers.mjs", import.meta.url));
  const server = await startServerProcess(script, { BENCH_SECRET: SECRET });
  const results = [];
  try {
    for (const bytes of SIZES) {
      const body = upsertSuccessBody(bytes);
      const headers = signDelivery(body);
      const rps = {};
      // Two rounds in rotated order, best of each: no route pays for running first (JIT
      // warm-up, heap growth) or for a burst of noise from elsewhere on the machine.
      for (let round = 0; round < 2; round++) {
        for (const route of round === 0 ? ROUTES : [...ROUTES].reverse()) {
          log(`  ${formatSize(bytes)}: ${route}, round ${round + 1}/2 (${duration} s)…`);
          const url = `http://127.0.0.1:${server.ports[route]}/hook`;
          await requestsPerSecond(url, { body, headers, duration: 1 }); // warm-up
          rps[route] = Math.max(rps[route] ?? 0, await requestsPerSecond(url, { body, headers, duration }));
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
      name: `ours >= 0.9x bare express.raw() at ${r.size}`,
      target: 0.9,
      actual: r.oursOverBare,
      pass: r.oursOverBare >= 0.9,
    },
    {
      name: `ours faster than express.raw() + svix at ${r.size}`,
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
    name: "express",
    title: "Express: verified route vs bare express.raw() vs express.raw() + svix (autocannon, 32 connections)",
    settings: { durationSeconds: duration, quick },
    results,
    checks,
    table,
  };
}
