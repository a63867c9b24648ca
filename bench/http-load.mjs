// Shared by the adapter sections: servers run in their own process (so the load generator
// never steals their event loop) and autocannon drives them over loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import autocannon from "autocannon";
import { formatOps, formatSize, KiB, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

/**
 * Starts `script` (with `args`) under node and an IPC channel; the script announces `{ ports: { name: port } }`
 * once it listens and answers `"cpu"` with its `process.cpuUsage()` (see servers/serve.mjs).
 * Returns those ports, a CPU reading and a stop function.
 */
export async function startServerProcess(script, args = [], env = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ports = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.once("message", (message) => resolve(message.ports));
  });
  return {
    ports,
    /** Microseconds of CPU (user + system) the server process has used so far. */
    async cpuMicros() {
      child.send("cpu");
      const [message] = await once(child, "message");
      return message.cpu.user + message.cpu.system;
    },
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * One timed run of one route under keep-alive load: requests/s, and the server's CPU time
 * per request (what the route costs, whatever the load generator sharing the machine does).
 * Any non-2xx answer or socket error throws: a route that fails fast must not look fast.
 */
export async function measureRoute(server, url, { body, headers, duration, connections = 32 }) {
  // autocannon writes host and content-length itself; a second copy breaks large bodies.
  const { host: _host, "content-length": _length, ...rest } = headers;
  const before = await server.cpuMicros();
  const result = await autocannon({ url, method: "POST", body, headers: rest, duration, connections, pipelining: 1 });
  const cpu = (await server.cpuMicros()) - before;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { rps: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ROUTES = ["ours", "bare", "floor", "svix"];

/**
 * One adapter section over HTTP: the script's four servers on the same signed bodies, 1 KiB
 * and 64 KiB. `ours` is the adapter, `bare` the same framework route without verification,
 * `floor` the least any verifying route can do (the framework's raw body, one HMAC, a
 * constant-time compare, JSON.parse) and `svix` the route a user would write with the svix
 * package. Each route is warmed up, then measured in rounds that rotate the order, so no
 * route pays for running first; figures are medians over rounds (the machine is shared).
 */
export async function compareRoutes({ name, title, script, bare, svix, quick = false, log = () => {} }) {
  const duration = quick ? 1 : 2;
  const rounds = quick ? 2 : 5;
  // One process per route: each has only its own app, as a real server would.
  const servers = {};
  for (const route of ROUTES) servers[route] = await startServerProcess(script, [route], { BENCH_SECRET: SECRET });
  const results = [];
  try {
    for (const bytes of [1 * KiB, 64 * KiB]) {
      const body = upsertSuccessBody(bytes);
      // Signed right before measuring, so the timestamp is always within the 5-minute window.
      const headers = signDelivery(body);
      const url = (route) => `http://127.0.0.1:${servers[route].ports[route]}/hook`;
      for (const route of ROUTES) await measureRoute(servers[route], url(route), { body, headers, duration: 1 });
      const runs = Object.fromEntries(ROUTES.map((route) => [route, []]));
      for (let round = 0; round < rounds; round++) {
        log(`  ${formatSize(bytes)}: round ${round + 1}/${rounds} (${ROUTES.length} routes × ${duration} s)…`);
        for (let i = 0; i < ROUTES.length; i++) {
          const route = ROUTES[(i + round) % ROUTES.length];
          runs[route].push(await measureRoute(servers[route], url(route), { body, headers, duration }));
        }
      }
      const rps = Object.fromEntries(ROUTES.map((r) => [r, median(runs[r].map((run) => run.rps))]));
      const cpu = Object.fromEntries(ROUTES.map((r) => [r, median(runs[r].map((run) => run.cpuPerRequest))]));
      results.push({
        bytes,
        size: formatSize(bytes),
        rps,
        cpuMicrosPerRequest: cpu,
        oursOverBare: rps.ours / rps.bare,
        oursOverSvix: rps.ours / rps.svix,
        floorOverBare: rps.floor / rps.bare,
        // Capacity of one server core: requests per CPU-second, relative to the bare route.
        cpuOursOverBare: cpu.bare / cpu.ours,
        cpuFloorOverBare: cpu.bare / cpu.floor,
        cpuOursOverSvix: cpu.svix / cpu.ours,
      });
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
  const checks = results.flatMap((r) => [
    {
      name: `ours >= 0.9x ${bare} at ${r.size} (the floor reaches ${r.floorOverBare.toFixed(2)}x)`,
      target: 0.9,
      actual: r.oursOverBare,
      pass: r.oursOverBare >= 0.9,
    },
    {
      name: `ours >= 0.9x the verification floor at ${r.size}`,
      target: 0.9,
      actual: r.rps.ours / r.rps.floor,
      pass: r.rps.ours / r.rps.floor >= 0.9,
    },
    { name: `ours faster than ${svix} at ${r.size}`, target: 1, actual: r.oursOverSvix, pass: r.oursOverSvix > 1 },
  ]);
  const x = (ratio) => `${ratio.toFixed(2)}x`;
  const ratios = ["ours/bare", "floor/bare", "ours/svix"];
  const table = renderTable(
    ["body", ...ROUTES.map((r) => `req/s ${r}`), ...ratios, ...ROUTES.map((r) => `CPU µs/req ${r}`), ...ratios],
    results.map((r) => {
      const cpu = r.cpuMicrosPerRequest;
      return [
        r.size,
        ...ROUTES.map((route) => formatOps(r.rps[route])),
        ...[r.oursOverBare, r.floorOverBare, r.oursOverSvix].map(x),
        ...ROUTES.map((route) => cpu[route].toFixed(0)),
        ...[r.cpuOursOverBare, r.cpuFloorOverBare, r.cpuOursOverSvix].map(x),
      ];
    }),
  );
  return { name, title, settings: { durationSeconds: duration, rounds, quick }, results, checks, table };
}
