// Where a route's heap allocations go, ours next to the floor: `pnpm bench:allocations`.
//
//   node bench/allocations.mjs [--adapter fastify] [--size 1024] [--top 25] [--against floor|hooked]
//
// Each route (ours, floor) of an HTTP adapter (express, fastify, next-pages) runs in a server
// process of its own (bench/servers/http-server.mjs) under V8's sampling heap profiler (every
// object, also those the next collection frees); autocannon here sends the deliveries, so the
// client's allocations are not counted. A Fetch adapter's routes (next-app, fetch, hono) are
// called in a process of their own with `new Request()`, as in `pnpm bench`. Prints
// heap bytes per delivery by the function that allocated them (self, not children), and the
// difference ours minus floor: what our route allocates that the least verifying route does not.
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startServerProcess } from "./http-load.mjs";
import { renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    adapter: { type: "string", default: "fastify" },
    size: { type: "string", default: "1024" },
    top: { type: "string", default: "25" },
    // The route ours is set against: the floor, or Fastify's hooked (the least a plugin can do).
    against: { type: "string", default: "floor" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    "Usage: node bench/allocations.mjs [--adapter express|fastify|next-pages|next-app|fetch|hono] [--size bytes] [--top n] [--against floor|hooked (fastify)]",
  );
  process.exit(0);
}

const SERVER = new URL("./servers/http-server.mjs", import.meta.url).pathname;
const FETCH_SERVER = new URL("./servers/fetch-profile.mjs", import.meta.url).pathname;
const FETCH_ADAPTERS = new Set(["next-app", "fetch", "hono"]);
const WARM_UP = 4_000;
const MEASURED = 10_000;

async function load(url, body, amount) {
  const { host: _host, "content-length": _length, ...headers } = signDelivery(body);
  const result = await autocannon({ url, method: "POST", body, headers, amount, connections: 16 });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** A Fetch adapter's route, profiled in its own process over `count` calls. */
async function profileFetchRoute(route, body) {
  const profiler = await startServerProcess(FETCH_SERVER, [values.adapter, route, String(body.length)]);
  try {
    const { total, frames } = await profiler.request({ warmUp: WARM_UP, measured: MEASURED });
    return { total, perDelivery: new Map(Object.entries(frames).map(([name, bytes]) => [name, bytes / MEASURED])) };
  } finally {
    await profiler.stop();
  }
}

/** Heap bytes per delivery of one route, by allocating function. */
async function profileRoute(route, body) {
  if (FETCH_ADAPTERS.has(values.adapter)) return profileFetchRoute(route, body);
  const server = await startServerProcess(SERVER, [values.adapter, route], {
    BENCH_SECRET: SECRET,
    BENCH_HEAP_PROFILE: "1",
  });
  try {
    const url = `http://127.0.0.1:${server.ports[route]}/hook`;
    await load(url, body, WARM_UP);
    await server.request("profile-start");
    const before = await server.usage();
    await load(url, body, MEASURED);
    const after = await server.usage();
    const { frames } = await server.request("profile-stop");
    const perDelivery = new Map(Object.entries(frames).map(([name, bytes]) => [name, bytes / MEASURED]));
    return { total: (after.allocatedBytes - before.allocatedBytes) / MEASURED, perDelivery };
  } finally {
    await server.stop();
  }
}

const body = upsertSuccessBody(Number(values.size));
const ours = await profileRoute("ours", body);
const against = values.against;
if (against !== "floor" && !(against === "hooked" && values.adapter === "fastify")) {
  console.error("--against takes floor, or hooked with --adapter fastify (the least a plugin can do).");
  process.exit(2);
}
const floor = await profileRoute(against, body);
const names = new Set([...ours.perDelivery.keys(), ...floor.perDelivery.keys()]);
const rows = [...names]
  .map((name) => [name, ours.perDelivery.get(name) ?? 0, floor.perDelivery.get(name) ?? 0])
  .sort((a, b) => b[1] - b[2] - (a[1] - a[2]))
  .slice(0, Number(values.top));
console.log(
  `${values.adapter} at ${body.length} bytes: ours ${(ours.total / 1024).toFixed(1)} KiB, ${against} ${(floor.total / 1024).toFixed(1)} KiB of JavaScript heap per delivery (${(ours.total / floor.total).toFixed(2)}x)\n`,
);
console.log(
  renderTable(
    ["allocating function (sampled, bytes per delivery)", "ours", against, `ours - ${against}`],
    rows.map(([name, a, b]) => [name, a.toFixed(0), b.toFixed(0), (a - b).toFixed(0)]),
    [false, true, true, true],
  ),
);
