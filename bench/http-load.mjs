// Shared by the adapter sections: servers run in their own process (so the load generator
// never steals their event loop) and autocannon drives them over loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import {
  adapterResult,
  adapterTable,
  floorChecks,
  formatSize,
  heapTable,
  KiB,
  median,
  renderTable,
  SECRET,
  signDelivery,
  upsertSuccessBody,
} from "./lib.mjs";

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
    /**
     * What the server process has used so far: microseconds of CPU (user + system), and its
     * heap totals (JavaScript bytes allocated, milliseconds collecting; servers/heap-meter.mjs).
     */
    async usage() {
      const message = await this.request("usage");
      return { cpuMicros: message.cpu.user + message.cpu.system, ...message.heap };
    },
    /** Sends `type` to the server process (servers/serve.mjs) and resolves its answer. */
    async request(type) {
      child.send(type);
      const [message] = await once(child, "message");
      return message;
    },
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * One timed run of one route under keep-alive load: requests/s, and per request the server's
 * CPU time, JavaScript heap bytes allocated and time collecting them (what the route costs,
 * whatever the load generator sharing the machine does). Any non-2xx answer or socket error
 * throws: a route that fails fast must not look fast.
 */
export async function measureRoute(server, url, { body, headers, duration, connections = 32 }) {
  // autocannon writes host and content-length itself; a second copy breaks large bodies.
  const { host: _host, "content-length": _length, ...rest } = headers;
  const before = await server.usage();
  const result = await autocannon({ url, method: "POST", body, headers: rest, duration, connections, pipelining: 1 });
  const after = await server.usage();
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    cpuPerRequest: (after.cpuMicros - before.cpuMicros) / requests,
    allocatedPerRequest: (after.allocatedBytes - before.allocatedBytes) / requests,
    gcMicrosPerRequest: ((after.gcMs - before.gcMs) * 1000) / requests,
  };
}

const ROUTES = ["ours", "bare", "floor", "svix"];
/**
 * Routes an adapter measures besides the four: Fastify's `hooked`, the least a plugin can do
 * that leaves the app's parsers alone (servers/fastify-apps.mjs), so the run shows how much
 * of the floor that shape leaves any plugin.
 */
const EXTRA_ROUTES = { fastify: ["hooked"] };
const SERVER = fileURLToPath(new URL("./servers/http-server.mjs", import.meta.url));

/**
 * One adapter section over HTTP: the adapter's four servers (servers/http-apps.mjs) on the
 * same signed bodies, 1 KiB and 64 KiB. `ours` is the adapter, `bare` the same framework
 * route without verification, `floor` the least any verifying route can do (the framework's
 * raw body, one HMAC, a constant-time compare, JSON.parse) and `svix` the route a user would
 * write with the svix package. Each route is warmed up, then measured in rounds that rotate
 * the order, so no route pays for running first; ratios are paired round by round, then the
 * median is taken (the machine is shared).
 */
export async function compareRoutes({ name, adapter, title, quick = false, log = () => {} }) {
  // Many short rounds rather than a few long ones: on a shared machine the load of the other
  // processes changes within seconds, and a ratio is only as good as the rounds it pairs.
  const duration = 1;
  const rounds = quick ? 3 : 9;
  const routes = [...ROUTES, ...(EXTRA_ROUTES[name] ?? [])];
  // One process per route: each has only its own app, as a real server would.
  const servers = {};
  for (const route of routes)
    servers[route] = await startServerProcess(SERVER, [name, route], { BENCH_SECRET: SECRET });
  const results = [];
  const cpu = [];
  try {
    for (const bytes of [1 * KiB, 64 * KiB]) {
      const body = upsertSuccessBody(bytes);
      // Signed right before measuring, so the timestamp is always within the 5-minute window.
      const headers = signDelivery(body);
      const url = (route) => `http://127.0.0.1:${servers[route].ports[route]}/hook`;
      for (const route of routes) await measureRoute(servers[route], url(route), { body, headers, duration: 1 });
      const runs = Object.fromEntries(routes.map((route) => [route, []]));
      for (let round = 0; round < rounds; round++) {
        log(`  ${formatSize(bytes)}: round ${round + 1}/${rounds} (${routes.length} routes × ${duration} s)…`);
        for (let i = 0; i < routes.length; i++) {
          const route = routes[(i + round) % routes.length];
          runs[route].push(await measureRoute(servers[route], url(route), { body, headers, duration }));
        }
      }
      const heap = Object.fromEntries(
        routes.map((r) => [
          r,
          {
            allocatedBytes: median(runs[r].map((run) => run.allocatedPerRequest)),
            gcMicros: median(runs[r].map((run) => run.gcMicrosPerRequest)),
          },
        ]),
      );
      results.push(
        adapterResult(adapter, bytes, Object.fromEntries(routes.map((r) => [r, runs[r].map((run) => run.rps)])), heap),
      );
      // The server's CPU time per request does not depend on the load generator sharing the cores.
      cpu.push(Object.fromEntries(routes.map((r) => [r, median(runs[r].map((run) => run.cpuPerRequest))])));
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
  const cpuTable = renderTable(
    ["body", ...routes.map((r) => `${r} CPU µs/req`), "floor/ours CPU"],
    results.map((r, i) => [
      r.size,
      ...routes.map((route) => cpu[i][route].toFixed(0)),
      `${(cpu[i].floor / cpu[i].ours).toFixed(2)}x`,
    ]),
  );
  return {
    name,
    title,
    settings: { durationSeconds: duration, rounds, quick },
    results,
    cpuMicrosPerRequest: cpu,
    checks: floorChecks(results),
    table: `${adapterTable(results, routes)}\n\n${cpuTable}\n\n${heapTable(results, routes)}`,
  };
}
