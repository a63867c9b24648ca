// Process entry of `pnpm bench:allocations` for a Fetch adapter's route:
//   node fetch-profile.mjs <next-app|fetch|hono> <ours|floor> <body bytes>
// Calls the route with `new Request()` (as fetch-worker.mjs does), first to warm up, then under
// the sampling heap profiler, and answers the parent with the heap bytes it allocated.
import { SECRET, signDelivery, upsertSuccessBody } from "../lib.mjs";
import { FETCH_APPS, FETCH_URL } from "./fetch-apps.mjs";
import { startAllocationProfiler, startHeapMeter } from "./heap-meter.mjs";

const [adapter, route, size] = process.argv.slice(2);
const handler = FETCH_APPS[adapter][route](SECRET);
const body = upsertSuccessBody(Number(size));
const pool = Array.from({ length: 2_000 }, () => {
  const { host: _host, ...headers } = signDelivery(body);
  return headers;
});

async function calls(count) {
  for (let i = 0; i < count; i++) {
    const response = await handler(new Request(FETCH_URL, { method: "POST", body, headers: pool[i % pool.length] }));
    if (response.status !== 204) throw new Error(`${adapter} ${route} answered ${response.status}`);
  }
}

process.on("message", async ({ warmUp, measured }) => {
  await calls(warmUp);
  const meter = startHeapMeter();
  const profiler = startAllocationProfiler();
  await profiler.start();
  const before = meter.read();
  await calls(measured);
  const after = meter.read();
  const { frames } = await profiler.stop();
  process.send({ total: (after.allocatedBytes - before.allocatedBytes) / measured, frames });
});
process.send({ ports: {} });
