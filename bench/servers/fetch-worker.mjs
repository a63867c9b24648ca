// Process entry of the Fetch sections (bench/fetch.mjs starts one per adapter, so no other
// adapter's code shapes the JIT's view of Request and Response):
//   node fetch-worker.mjs <next-app|fetch|hono> <quick: 0|1>
// Times the adapter's four routes (servers/fetch-apps.mjs) side by side with tinybench, at
// 1 KiB and 64 KiB, and sends the per-round requests/s to the parent over IPC.
import assert from "node:assert/strict";
import { KiB, measure, SECRET, signDelivery, upsertSuccessBody } from "../lib.mjs";
import { FETCH_APPS, FETCH_URL } from "./fetch-apps.mjs";
import { startHeapMeter } from "./heap-meter.mjs";

const ROUTES = ["ours", "bare", "floor", "svix"];
const [adapter, quickFlag] = process.argv.slice(2);
const quick = quickFlag === "1";
const time = quick ? 400 : 2400;
const warmupTime = quick ? 100 : 400;
// Short rounds, many of them: the ratios pair routes round by round.
const rounds = quick ? 3 : 9;
const handlers = Object.fromEntries(ROUTES.map((route) => [route, FETCH_APPS[adapter][route](SECRET)]));

/** Deliveries with distinct ids, cycled through, as in production (and what svix parses). */
function deliveryPool(body, count) {
  return Array.from({ length: count }, () => {
    const { host: _host, ...headers } = signDelivery(body);
    return headers;
  });
}

/**
 * Per delivery, one route at a time after the timing: JavaScript heap bytes allocated and
 * microseconds collecting them, over `count` calls in a row.
 */
async function heapPerDelivery(call, count) {
  const meter = startHeapMeter();
  const before = meter.read();
  for (let i = 0; i < count; i++) await call();
  const after = meter.read();
  return {
    allocatedBytes: (after.allocatedBytes - before.allocatedBytes) / count,
    gcMicros: ((after.gcMs - before.gcMs) * 1000) / count,
  };
}

const results = [];
for (const bytes of [1 * KiB, 64 * KiB]) {
  const body = upsertSuccessBody(bytes);
  const pool = deliveryPool(body, quick ? 2_000 : 8_000);
  const post = (headers) => new Request(FETCH_URL, { method: "POST", body, headers });
  // Refuse to time a route that does not answer a genuine delivery with 204, or that
  // accepts a forged one.
  for (const route of ROUTES) {
    assert.equal((await handlers[route](post(pool[0]))).status, 204, `${adapter} ${route}`);
    const forged = { ...pool[1], "svix-signature": pool[2]["svix-signature"] };
    if (route !== "bare") assert.equal((await handlers[route](post(forged))).status, 401, `${route} took a forgery`);
  }
  const candidates = ROUTES.map((route) => {
    let next = 3;
    return {
      name: route,
      async: true,
      fn: async () => {
        // Every call builds its Request: a body can be read once, as in production.
        const response = await handlers[route](post(pool[next++ % pool.length]));
        if (response.status !== 204) throw new Error(`${adapter} ${route} answered ${response.status}`);
      },
    };
  });
  const measured = await measure(candidates, { time, warmupTime, rounds });
  const heap = {};
  for (const { name, fn } of candidates) heap[name] = await heapPerDelivery(fn, quick ? 1_000 : 4_000);
  results.push({
    bytes,
    rounds: Object.fromEntries(ROUTES.map((route) => [route, measured.get(route).rounds])),
    heap,
  });
}
process.send({ results }, () => process.exit(0));
