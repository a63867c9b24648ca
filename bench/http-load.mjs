// Shared by the adapter sections: servers run in their own process (so the load generator
// never steals their event loop) and autocannon drives them over loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import autocannon from "autocannon";
import { formatOps, formatSize, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

/**
 * Starts `script` with node; the script prints one JSON line `{ "ports": { name: port } }`
 * once it listens. Returns those ports and a stop function.
 */
export async function startServerProcess(script, env = {}) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.setEncoding("utf8");
  let buffered = "";
  const ports = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line).ports);
    });
  });
  return {
    ports,
    child,
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * Requests/s of one route under keep-alive load. Any non-2xx answer or socket error
 * throws: a route that fails fast must not look fast.
 */
export async function requestsPerSecond(url, { body, headers, duration, connections = 32 }) {
  // autocannon writes host and content-length itself; a second copy breaks large bodies.
  const { host: _host, "content-length": _length, ...rest } = headers;
  const result = await autocannon({ url, method: "POST", body, headers: rest, duration, connections, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return result.requests.average;
}

/**
 * One adapter section over HTTP: the script's three servers (`ours`, `bare`, `svix`) on the
 * same signed bodies, 1 KiB and 64 KiB. Each route is warmed up, then measured in two rounds
 * in rotated order, best of each, so no route pays for running first or for a burst of noise.
 */
export async function compareRoutes({ name, title, script, bare, svix, quick = false, log = () => {} }) {
  const duration = quick ? 1 : 3;
  const routes = ["ours", "bare", "svix"];
  const server = await startServerProcess(script, { BENCH_SECRET: SECRET });
  const results = [];
  try {
    for (const bytes of [1 * KiB, 64 * KiB]) {
      const body = upsertSuccessBody(bytes);
      // Signed right before measuring, so the timestamp is always within the 5-minute window.
      const headers = signDelivery(body);
      const url = (route) => `http://127.0.0.1:${server.ports[route]}/hook`;
      for (const route of routes) await requestsPerSecond(url(route), { body, headers, duration: 1 });
      const rps = { ours: 0, bare: 0, svix: 0 };
      for (let round = 0; round < 2; round++) {
        for (const route of round === 0 ? routes : [...routes].reverse()) {
          log(`  ${formatSize(bytes)}: ${route}, round ${round + 1}/2 (${duration} s)…`);
          rps[route] = Math.max(rps[route], await requestsPerSecond(url(route), { body, headers, duration }));
        }
      }
      const size = formatSize(bytes);
      results.push({ bytes, size, rps, oursOverBare: rps.ours / rps.bare, oursOverSvix: rps.ours / rps.svix });
    }
  } finally {
    await server.stop();
  }
  const checks = results.flatMap((r) => [
    { name: `ours >= 0.9x ${bare} at ${r.size}`, target: 0.9, actual: r.oursOverBare, pass: r.oursOverBare >= 0.9 },
    { name: `ours faster than ${svix} at ${r.size}`, target: 1, actual: r.oursOverSvix, pass: r.oursOverSvix > 1 },
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
  return { name, title, settings: { durationSeconds: duration, rounds: 2, quick }, results, checks, table };
}
