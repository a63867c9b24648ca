// Next.js section: the App Router wrapper called directly with a `new Request(...)`, as Next
// calls `export const POST`, against a bare route handler that only reads request.text()
// (no verification at all), against the verification floor (the least any verifying route
// must do) and against the hand-written route with the svix package.
// Every call builds its Request (a body can be read once) and gets a fresh delivery id, so
// the default exactly-once store sees new deliveries, as in production.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { Webhook } from "svix";
import { formatOps, formatSize, KiB, measure, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const SIZES = [1 * KiB, 64 * KiB];
/**
 * The target, ours/bare. Also checked against the floor: where floor/bare is under
 * it, no verifying route meets it, and ours/floor is what is left to judge.
 */
const TARGET = 0.9;
const URL_ = "https://app.example.com/api/webhooks/colivara";

/**
 * Deliveries with distinct ids, cycled through. More of them than the memory store keeps
 * (10,000), so an id is always forgotten before it comes round again.
 */
function deliveryPool(body, count) {
  return Array.from({ length: count }, () => {
    const { host: _host, ...headers } = signDelivery(body);
    return headers;
  });
}

/**
 * The verification floor: what any route that verifies must do at the least, and nothing
 * else (no limit, no timeout, no header or payload checks, no dedupe). Reads the bytes the
 * cheapest way a Request allows (its stream reader: cheaper than arrayBuffer() or text()),
 * HMACs prefix+body with a key decoded once, compares in constant time, parses the JSON.
 * If floor/bare is under the target, no verifying route can meet it on this machine.
 */
function floorRoute(secret) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return async (request) => {
    const reader = request.body.getReader();
    const chunks = [];
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value);
    const [first] = chunks;
    // One chunk (the usual case) is used in place, as the wrapper does.
    const body =
      chunks.length === 1 ? Buffer.from(first.buffer, first.byteOffset, first.byteLength) : Buffer.concat(chunks);
    const id = request.headers.get("svix-id");
    const timestamp = request.headers.get("svix-timestamp");
    const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
    const expected = Buffer.from(request.headers.get("svix-signature").slice(3), "base64");
    if (expected.length !== mac.length || !timingSafeEqual(mac, expected)) return new Response(null, { status: 401 });
    JSON.parse(body.toString());
    return new Response(null, { status: 204 });
  };
}

function candidates() {
  const ours = withColivaraWebhook(async () => {}, { secret: SECRET });
  // The exactly-once store's share of the cost, for the report.
  const oursNoDedupe = withColivaraWebhook(async () => {}, { secret: SECRET, dedupe: false });
  const bare = async (request) => {
    await request.text();
    return new Response(null, { status: 204 });
  };
  const wh = new Webhook(SECRET);
  const svix = async (request) => {
    const text = await request.text();
    try {
      wh.verify(text, Object.fromEntries(request.headers));
    } catch {
      return new Response(null, { status: 401 });
    }
    JSON.parse(text);
    return new Response(null, { status: 204 });
  };
  return [
    { name: "ours", label: "withColivaraWebhook", handle: ours },
    { name: "oursNoDedupe", label: "… dedupe: false", handle: oursNoDedupe },
    { name: "bare", label: "bare request.text()", handle: bare },
    { name: "floor", label: "floor (bytes + HMAC + JSON.parse)", handle: floorRoute(SECRET) },
    { name: "svix", label: "text() + svix", handle: svix },
  ];
}

/**
 * a/b over the rounds measured side by side, median: a burst of background load hits both
 * members of a pair alike, so this is steadier than a ratio of the two medians.
 */
function pairedRatio(measured, a, b) {
  const theirs = measured.get(b).rounds;
  const ratios = measured
    .get(a)
    .rounds.map((value, i) => value / theirs[i])
    .sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2 === 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

/**
 * Runs the Next.js comparison and returns its results.
 *
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function nextSection({ quick = false, log = () => {} } = {}) {
  const time = quick ? 400 : 3000;
  const warmupTime = quick ? 100 : 400;
  // Short rounds, many of them: the ratios pair candidates round by round.
  const rounds = quick ? 3 : 9;
  const all = candidates();
  const results = [];
  for (const bytes of SIZES) {
    const body = upsertSuccessBody(bytes);
    const pool = deliveryPool(body, quick ? 10_500 : 12_000);
    log(`  ${formatSize(bytes)}: measuring ${all.map((c) => c.name).join(", ")} (${time} ms each)…`);
    // Refuse to time a path that does not answer a genuine delivery with 204, or that
    // accepts a forged one.
    for (const c of all) {
      assert.equal((await c.handle(new Request(URL_, { method: "POST", body, headers: pool[0] }))).status, 204, c.name);
      const forged = { ...pool[1], "svix-signature": pool[2]["svix-signature"] };
      const status = (await c.handle(new Request(URL_, { method: "POST", body, headers: forged }))).status;
      if (c.name !== "bare") assert.equal(status, 401, `${c.name} accepted a forged delivery`);
    }
    const measured = await measure(
      all.map((c) => {
        let next = 3;
        return {
          name: c.name,
          async: true,
          fn: async () => {
            const headers = pool[next++ % pool.length];
            const response = await c.handle(new Request(URL_, { method: "POST", body, headers }));
            if (response.status !== 204) throw new Error(`${c.name} answered ${response.status}`);
          },
        };
      }),
      { time, warmupTime, rounds },
    );
    const ops = Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).opsPerSec]));
    const ratio = (a, b) => pairedRatio(measured, a, b);
    results.push({
      bytes,
      size: formatSize(bytes),
      opsPerSec: ops,
      nsPerOp: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).nsPerOp])),
      spreadPercent: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).spread])),
      oursOverBare: ratio("ours", "bare"),
      oursNoDedupeOverBare: ratio("oursNoDedupe", "bare"),
      floorOverBare: ratio("floor", "bare"),
      oursOverFloor: ratio("ours", "floor"),
      oursOverSvix: ratio("ours", "svix"),
    });
  }
  const checks = results.flatMap((r) => [
    {
      name: `withColivaraWebhook >= ${TARGET}x a bare request.text() handler at ${r.size} (the floor reaches ${r.floorOverBare.toFixed(2)}x)`,
      target: TARGET,
      actual: r.oursOverBare,
      pass: r.oursOverBare >= TARGET,
    },
    {
      name: `withColivaraWebhook >= ${TARGET}x the verification floor at ${r.size}`,
      target: TARGET,
      actual: r.oursOverFloor,
      pass: r.oursOverFloor >= TARGET,
    },
  ]);
  const table = renderTable(
    [
      "body",
      ...all.map((c) => `${c.label} ops/s`),
      "ours/bare",
      "no-dedupe/bare",
      "floor/bare",
      "ours/floor",
      "ours/svix",
    ],
    results.map((r) => [
      r.size,
      ...all.map((c) => `${formatOps(r.opsPerSec[c.name])} ±${r.spreadPercent[c.name].toFixed(1)}%`),
      ...[r.oursOverBare, r.oursNoDedupeOverBare, r.floorOverBare, r.oursOverFloor, r.oursOverSvix].map(
        (x) => `${x.toFixed(2)}x`,
      ),
    ]),
  );
  return {
    name: "next",
    title:
      "Next.js: App Router wrapper called with new Request() vs a bare request.text() handler vs the verification floor vs text() + svix",
    settings: { timeMsPerTask: time, warmupMs: warmupTime, rounds, quick },
    results,
    checks,
    table,
  };
}
