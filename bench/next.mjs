// Next.js section: the App Router wrapper called directly with a `new Request(...)`, as Next
// calls `export const POST`, against a bare route handler that only reads request.text()
// (no verification at all) and against the hand-written route with the svix package.
// Every call builds its Request (a body can be read once) and gets a fresh delivery id, so
// the default exactly-once store sees new deliveries, as in production.
import assert from "node:assert/strict";
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { Webhook } from "svix";
import { formatOps, formatSize, KiB, measure, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const SIZES = [1 * KiB, 64 * KiB];
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
    { name: "svix", label: "text() + svix", handle: svix },
  ];
}

/**
 * Runs the Next.js comparison and returns its results.
 *
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function nextSection({ quick = false, log = () => {} } = {}) {
  const time = quick ? 400 : 3000;
  const warmupTime = quick ? 100 : 400;
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
      { time, warmupTime },
    );
    const ops = Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).opsPerSec]));
    results.push({
      bytes,
      size: formatSize(bytes),
      opsPerSec: ops,
      nsPerOp: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).nsPerOp])),
      spreadPercent: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).spread])),
      oursOverBare: ops.ours / ops.bare,
      oursNoDedupeOverBare: ops.oursNoDedupe / ops.bare,
      oursOverSvix: ops.ours / ops.svix,
    });
  }
  const checks = results.map((r) => ({
    name: `withColivaraWebhook >= ${TARGET}x a bare request.text() handler at ${r.size}`,
    target: TARGET,
    actual: r.oursOverBare,
    pass: r.oursOverBare >= TARGET,
  }));
  const table = renderTable(
    ["body", ...all.map((c) => `${c.label} ops/s`), "ours/bare", "no-dedupe/bare", "ours/svix"],
    results.map((r) => [
      r.size,
      ...all.map((c) => `${formatOps(r.opsPerSec[c.name])} ±${r.spreadPercent[c.name].toFixed(1)}%`),
      `${r.oursOverBare.toFixed(2)}x`,
      `${r.oursNoDedupeOverBare.toFixed(2)}x`,
      `${r.oursOverSvix.toFixed(2)}x`,
    ]),
  );
  return {
    name: "next",
    title: "Next.js: App Router wrapper called with new Request() vs a bare request.text() handler vs text() + svix",
    settings: { timeMsPerTask: time, warmupMs: warmupTime, quick },
    results,
    checks,
    table,
  };
}
