// Core section: our verify() against svix, standardwebhooks and a bare node:crypto baseline.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
// The built package through its `exports`, exactly as users get it (a root workspace
// devDependency; run `pnpm build` first, which `pnpm bench` does).
import { createVerifier } from "@colivara/webhooks";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import {
  formatOps,
  formatSize,
  KiB,
  MiB,
  measure,
  renderTable,
  SECRET,
  signDelivery,
  tamper,
  upsertSuccessBody,
} from "./lib.mjs";

export const SIZES = [1 * KiB, 64 * KiB, 1 * MiB];

/**
 * Minimum ours/other ops/s ratio, per size (undefined: no target). Against bare (one HMAC, a
 * compare, JSON.parse): within 1.15x of its time at 1 KiB (1 / 1.15 = 0.87), 1.25x elsewhere.
 */
const TARGETS = {
  svix: { [1 * KiB]: 3, [64 * KiB]: 6 },
  bare: { [1 * KiB]: 0.87, [64 * KiB]: 0.8, [1 * MiB]: 0.8 },
};

/**
 * The practical limit: what any verifier must do at the least. Key bytes decoded once;
 * per call read the three headers, HMAC prefix+body, decode the signature, compare in
 * constant time, parse the JSON.
 */
export function bareVerifier(secret) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return (body, headers) => {
    const id = headers["svix-id"];
    const timestamp = headers["svix-timestamp"];
    const signature = headers["svix-signature"];
    const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
    const expected = Buffer.from(signature.slice(3), "base64");
    if (expected.length !== mac.length || !timingSafeEqual(mac, expected)) throw new Error("bad signature");
    return JSON.parse(body.toString());
  };
}

/** Each candidate: how to call it on one delivery, and how to read the event it returns. */
function candidates() {
  const ours = createVerifier({ secret: SECRET });
  assert.equal(ours.engine, "node", "our verifier should use node:crypto on Node");
  const svix = new SvixWebhook(SECRET);
  const standard = new StandardWebhook(SECRET);
  const bare = bareVerifier(SECRET);
  return [
    {
      name: "ours",
      label: "@colivara/webhooks",
      brand: "svix",
      async: true,
      // Buffer body and Node-style headers: exactly what the adapters pass.
      call: (body, headers) => ours.verify(body, headers),
      event: (result) => result.event,
    },
    {
      name: "svix",
      label: "svix",
      brand: "svix",
      async: false,
      // svix (and standardwebhooks) accept a string or a Buffer and stringify a Buffer
      // themselves; a Buffer is what an Express/Fastify raw-body route hands them.
      call: (body, headers) => svix.verify(body, headers),
      event: (result) => result,
    },
    {
      name: "standardwebhooks",
      label: "standardwebhooks",
      brand: "webhook", // it reads only the unbranded webhook-* names
      async: false,
      call: (body, headers) => standard.verify(body, headers),
      event: (result) => result,
    },
    {
      name: "bare",
      label: "bare node:crypto",
      brand: "svix",
      async: false,
      call: (body, headers) => bare(body, headers),
      event: (result) => result,
    },
  ];
}

/** Refuses to time a path that does not verify a genuine delivery or accepts a forged one. */
async function assertWorks(candidate, body, headers) {
  const event = candidate.event(await candidate.call(body, headers));
  assert.equal(event?.type, "upsert.success", `${candidate.name}: wrong event type`);
  assert.deepEqual(event, JSON.parse(body.toString()), `${candidate.name}: event differs from the body`);
  await assert.rejects(
    async () => candidate.call(tamper(body), headers),
    `${candidate.name}: accepted a tampered body`,
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * ours/other as the median of per-round ratios: both ran within the same round, seconds
 * apart, so a change of background load between rounds cancels out.
 */
function pairedRatio(measured, other) {
  const ours = measured.get("ours").rounds;
  const theirs = measured.get(other).rounds;
  return median(ours.map((value, i) => value / theirs[i]));
}

/**
 * Runs the core comparison and returns its results.
 *
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function coreVerify({ quick = false, log = () => {} } = {}) {
  // Per candidate and size: `time` ms of measurement split into `rounds`, plus warm-up.
  const time = quick ? 400 : 3000;
  const warmupTime = quick ? 100 : 400;
  const rounds = quick ? 2 : 6;
  const all = candidates();
  const sizes = [];
  for (const bytes of SIZES) {
    log(`  ${formatSize(bytes)}: ${all.map((c) => c.name).join(", ")} (${time} ms each, in ${rounds} rounds)…`);
    const body = upsertSuccessBody(bytes);
    // Signed right before measuring, so the timestamp is always within the 5-minute window.
    const headers = { svix: signDelivery(body, { brand: "svix" }), webhook: signDelivery(body, { brand: "webhook" }) };
    for (const candidate of all) await assertWorks(candidate, body, headers[candidate.brand]);
    const measured = await measure(
      all.map((c) => {
        const h = headers[c.brand];
        return { name: c.name, async: c.async, fn: () => c.call(body, h) };
      }),
      { time, warmupTime, rounds },
    );
    const ops = Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).opsPerSec]));
    sizes.push({
      bytes,
      size: formatSize(bytes),
      opsPerSec: ops,
      nsPerOp: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).nsPerOp])),
      spreadPercent: Object.fromEntries(all.map((c) => [c.name, measured.get(c.name).spread])),
      ratios: {
        oursOverSvix: pairedRatio(measured, "svix"),
        oursOverStandardwebhooks: pairedRatio(measured, "standardwebhooks"),
        oursOverBare: pairedRatio(measured, "bare"),
      },
    });
  }

  const checks = [];
  for (const s of sizes) {
    const svixTarget = TARGETS.svix[s.bytes];
    if (svixTarget !== undefined) {
      const actual = s.ratios.oursOverSvix;
      checks.push({
        name: `ours >= ${svixTarget}x svix at ${s.size}`,
        target: svixTarget,
        actual,
        pass: actual >= svixTarget,
      });
    }
    const bareTarget = TARGETS.bare[s.bytes];
    if (bareTarget !== undefined) {
      const actual = s.ratios.oursOverBare;
      checks.push({
        name: `ours within ${(1 / bareTarget).toFixed(2)}x of bare's time at ${s.size} (ours/bare >= ${bareTarget})`,
        target: bareTarget,
        actual,
        pass: actual >= bareTarget,
      });
    }
  }

  const names = all.map((c) => c.name);
  const header = ["body", ...all.map((c) => `${c.label} ops/s`), "ours/svix", "ours/stdwh", "ours/bare"];
  const rows = sizes.map((s) => [
    s.size,
    ...names.map((n) => `${formatOps(s.opsPerSec[n])} ±${s.spreadPercent[n].toFixed(1)}%`),
    `${s.ratios.oursOverSvix.toFixed(2)}x`,
    `${s.ratios.oursOverStandardwebhooks.toFixed(2)}x`,
    `${s.ratios.oursOverBare.toFixed(2)}x`,
  ]);

  return {
    name: "core-verify",
    title: "Core: verify one upsert.success delivery (HMAC-SHA256 + JSON parse)",
    settings: { timeMsPerCandidate: time, warmupMs: warmupTime, rounds, quick },
    results: sizes,
    checks,
    table: `${renderTable(header, rows)}\nops/s: median of ${rounds} interleaved rounds (± half their range); ratios: median of the per-round ratios.`,
  };
}
