// Shared helpers for the benchmark sections: deliveries, timing and table output.
import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** A fixed 24-byte key (the size Svix issues), as `whsec_<base64>`. */
export const SECRET = `whsec_${Buffer.from("colivara-bench-key-24byt").toString("base64")}`;

export function formatSize(bytes) {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}

const FILLER =
  "Quarterly revenue grew 12% on the back of strong enterprise demand; see page 4 for the regional breakdown. ";

/**
 * A realistic ColiVara `upsert.success` body of exactly `size` bytes: the documented
 * fields, with the document's extracted summary in `metadata.summary` padding it out.
 */
export function upsertSuccessBody(size) {
  const event = {
    type: "upsert.success",
    message: "Document upserted successfully",
    id: 48213,
    name: "q3-financial-report.pdf",
    metadata: {
      author: "Finance Team",
      department: "finance",
      tags: ["quarterly", "report", "2024"],
      source: "s3://acme-docs/reports/q3-financial-report.pdf",
      summary: "",
    },
    url: "https://acme-docs.s3.amazonaws.com/reports/q3-financial-report.pdf",
    num_pages: 42,
    collection_name: "financial_reports",
  };
  const base = Buffer.byteLength(JSON.stringify(event));
  if (base > size) throw new Error(`body size ${size} is below the ${base}-byte minimum`);
  const pad = size - base;
  event.metadata.summary = FILLER.repeat(Math.ceil(pad / FILLER.length)).slice(0, pad);
  const body = Buffer.from(JSON.stringify(event));
  if (body.length !== size) throw new Error(`built a ${body.length}-byte body, wanted ${size}`);
  return body;
}

/**
 * Signs `body` independently of the code under test (node:crypto, Svix scheme) and
 * returns request headers shaped like Node's `IncomingHttpHeaders` (lower-case names,
 * plus the other headers a real Svix delivery carries). `brand` picks svix-* or webhook-*.
 */
export function signDelivery(body, { secret = SECRET, brand = "svix", timestamp } = {}) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const id = `msg_${randomBytes(18).toString("base64url")}`;
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const mac = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
  return {
    host: "api.example.com",
    "user-agent": "Svix-Webhooks/1.24.0",
    "content-length": String(body.length),
    "content-type": "application/json",
    accept: "*/*",
    "accept-encoding": "gzip",
    "x-forwarded-for": "44.228.126.217",
    "x-forwarded-proto": "https",
    [`${brand}-id`]: id,
    [`${brand}-timestamp`]: ts,
    [`${brand}-signature`]: `v1,${mac}`,
  };
}

/** Flips one byte in the middle of the body: the result must never verify. */
export function tamper(body) {
  const copy = Buffer.from(body);
  const i = copy.length >> 1;
  copy[i] = copy[i] === 0x61 ? 0x62 : 0x61;
  return copy;
}

/**
 * Times each candidate with tinybench. Every sample runs a batch of calls sized so that a
 * sample lasts about `sampleMs`, which keeps timer and harness overhead out of
 * microsecond-scale results. The time is split into `rounds` that each run every
 * candidate in turn (in a rotated order), so a burst of background load or GC debt left by
 * one candidate hits all of them alike; a candidate's ops/s is the median over rounds of
 * batch / mean sample time, `spread` is half the range over rounds, in percent, and
 * `rounds` keeps the per-round figures so that callers can pair candidates round by round.
 *
 * @param {{ name: string, fn: () => unknown, async: boolean }[]} candidates
 * @param {{ time: number, warmupTime: number, rounds?: number, sampleMs?: number }} options
 * @returns {Promise<Map<string, { opsPerSec: number, nsPerOp: number, spread: number, samples: number, batch: number, rounds: number[] }>>}
 */
export async function measure(candidates, { time, warmupTime, rounds = 5, sampleMs = 1 }) {
  const tasks = [];
  for (const { name, fn, async } of candidates) {
    const batch = await calibrate(fn, async, sampleMs);
    const run = async
      ? async () => {
          for (let i = 0; i < batch; i++) await fn();
        }
      : () => {
          for (let i = 0; i < batch; i++) fn();
        };
    tasks.push({ name, batch, run, perRound: [], samples: 0 });
  }
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: time / rounds,
      warmup: round === 0,
      warmupTime,
      iterations: 4,
      warmupIterations: 4,
    });
    const order = tasks.map((_, i) => tasks[(i + round) % tasks.length]);
    for (const task of order) bench.add(task.name, task.run);
    await bench.run();
    for (const task of order) {
      const result = bench.getTask(task.name)?.result;
      if (result === undefined || result.error) {
        throw new Error(`benchmark task ${task.name} failed: ${result?.error?.stack ?? "no result"}`);
      }
      task.perRound.push((task.batch * 1000) / result.latency.mean);
      task.samples += result.latency.samples.length;
    }
  }
  const results = new Map();
  for (const task of tasks) {
    const sorted = [...task.perRound].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    results.set(task.name, {
      opsPerSec: median,
      nsPerOp: 1e9 / median,
      spread: (((sorted.at(-1) ?? median) - (sorted[0] ?? median)) / 2 / median) * 100,
      samples: task.samples,
      batch: task.batch,
      rounds: task.perRound,
    });
  }
  return results;
}

async function calibrate(fn, async, sampleMs) {
  // Time single calls for ~20 ms (also a first warm-up), then size the batch.
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < 20 || calls < 3) {
    if (async) await fn();
    else fn();
    calls++;
  }
  const perCall = (performance.now() - start) / calls;
  return Math.max(1, Math.round(sampleMs / perCall));
}

export function formatOps(ops) {
  if (ops >= 100) return Math.round(ops).toLocaleString("en-US");
  return ops.toFixed(1);
}

/** Renders rows of strings as an aligned text table; numbers-like columns right-aligned. */
export function renderTable(header, rows, rightAlign = header.map((_, i) => i > 0)) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (rightAlign[i] ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * a/b over rounds measured side by side, median: a burst of background load (the machine is
 * shared) hits both members of a pair alike, so this is steadier than a ratio of medians.
 *
 * @param {number[]} a per-round figures, higher is better
 * @param {number[]} b the same rounds of the other candidate
 */
export function pairedRatio(a, b) {
  return median(a.map((value, i) => value / b[i]));
}

/** The throughput target: ours at least this share of its floor's requests/s, at every size. */
export const FLOOR_TARGET = 0.9;
/** Ours over the same route verified with the svix package, at 1 KiB (requests/s). */
export const SVIX_TARGET = 1.1;
/** The allocation target: ours at most this multiple of the floor's heap bytes per delivery. */
export const ALLOCATION_TARGET = 1.5;

/**
 * One adapter's figures at one body size, in the shape every adapter section returns, so
 * run.mjs can print one summary: per-route requests/s and the paired ratios, and with `heap`
 * the JavaScript heap bytes allocated and GC time per delivery of each route.
 *
 * @param {string} adapter display name
 * @param {number} bytes body size
 * @param {Record<"ours" | "bare" | "floor" | "svix", number[]>} rounds per-round requests/s (and
 *   Fastify's `hooked`: the least a plugin that leaves the app's parsers alone can do)
 * @param {Record<string, { allocatedBytes: number, gcMicros: number }>} [heap] per route, per delivery
 */
export function adapterResult(adapter, bytes, rounds, heap) {
  return {
    adapter,
    bytes,
    size: formatSize(bytes),
    opsPerSec: Object.fromEntries(Object.entries(rounds).map(([route, values]) => [route, median(values)])),
    spreadPercent: Object.fromEntries(
      Object.entries(rounds).map(([route, values]) => {
        const mid = median(values);
        return [route, ((Math.max(...values) - Math.min(...values)) / 2 / mid) * 100];
      }),
    ),
    rounds,
    oursOverFloor: pairedRatio(rounds.ours, rounds.floor),
    oursOverBare: pairedRatio(rounds.ours, rounds.bare),
    oursOverSvix: pairedRatio(rounds.ours, rounds.svix),
    floorOverBare: pairedRatio(rounds.floor, rounds.bare),
    floorOverSvix: pairedRatio(rounds.floor, rounds.svix),
    ...(heap && { heap, allocationOverFloor: heap.ours.allocatedBytes / heap.floor.allocatedBytes }),
    ...(rounds.hooked && {
      oursOverHooked: pairedRatio(rounds.ours, rounds.hooked),
      hookedOverFloor: pairedRatio(rounds.hooked, rounds.floor),
    }),
  };
}

/** Fastify's line says how much of the floor a plugin's shape leaves (see adapterResult). */
function hookedNote(r) {
  if (r.hookedOverFloor === undefined) return "";
  return `; a plugin's least, hooked: ${r.hookedOverFloor.toFixed(2)}x the floor, ours ${r.oursOverHooked.toFixed(2)}x hooked`;
}

/** The PASS/MISS lines of one adapter's results: throughput against the floor and svix, allocation. */
export function floorChecks(results) {
  return results.flatMap((r) => {
    const checks = [
      {
        name: `${r.adapter} >= ${FLOOR_TARGET}x its verification floor at ${r.size} (requests/s, paired median${hookedNote(r)})`,
        target: FLOOR_TARGET,
        actual: r.oursOverFloor,
        pass: r.oursOverFloor >= FLOOR_TARGET,
      },
    ];
    if (r.bytes === KiB) {
      checks.push({
        // The floor's own ratio says how much room the framework leaves: a route cannot beat it.
        name: `${r.adapter} >= ${SVIX_TARGET}x the same route verified with svix at ${r.size} (requests/s; the floor: ${r.floorOverSvix.toFixed(2)}x)`,
        target: SVIX_TARGET,
        actual: r.oursOverSvix,
        pass: r.oursOverSvix >= SVIX_TARGET,
      });
    }
    if (r.allocationOverFloor !== undefined) {
      checks.push({
        name: `${r.adapter} allocates <= ${ALLOCATION_TARGET}x its floor's heap bytes per delivery at ${r.size}`,
        target: ALLOCATION_TARGET,
        actual: r.allocationOverFloor,
        pass: r.allocationOverFloor <= ALLOCATION_TARGET,
      });
    }
    return checks;
  });
}

/** Per route and size: JavaScript heap KiB allocated and GC µs per delivery, ours over the floor. */
export function heapTable(results, routes = ["ours", "bare", "floor", "svix"]) {
  const rows = results.filter((r) => r.heap !== undefined);
  return renderTable(
    ["body", ...routes.map((r) => `${r} KiB · GC µs`), "ours/floor bytes"],
    rows.map((r) => [
      r.size,
      ...routes.map((route) => {
        const { allocatedBytes, gcMicros } = r.heap[route];
        return `${(allocatedBytes / KiB).toFixed(1)} / ${gcMicros.toFixed(1)}`;
      }),
      `${r.allocationOverFloor.toFixed(2)}x`,
    ]),
  );
}

/** The table of one adapter section: requests/s per route and the paired ratios. */
export function adapterTable(results, routes = ["ours", "bare", "floor", "svix"]) {
  const x = (ratio) => `${ratio.toFixed(2)}x`;
  const hooked = routes.includes("hooked");
  return renderTable(
    [
      "body",
      ...routes.map((r) => `${r} req/s`),
      "ours/floor",
      "ours/bare",
      "ours/svix",
      "floor/bare",
      ...(hooked ? ["ours/hooked", "hooked/floor"] : []),
    ],
    results.map((r) => [
      r.size,
      ...routes.map((route) => `${formatOps(r.opsPerSec[route])} ±${r.spreadPercent[route].toFixed(0)}%`),
      ...[r.oursOverFloor, r.oursOverBare, r.oursOverSvix, r.floorOverBare].map(x),
      ...(hooked ? [r.oursOverHooked, r.hookedOverFloor].map(x) : []),
    ]),
  );
}

/** The value below which a share `q` (0 to 1) of `values` falls. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** A table row of timings in ms: label, mean, p50, p99. */
export function latencyRow(label, values) {
  return [
    label,
    (values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(2),
    quantile(values, 0.5).toFixed(2),
    quantile(values, 0.99).toFixed(2),
  ];
}

/**
 * Runs a `*.measure.ts` file under vitest (vitest.measure.config.ts: the test suite's own
 * servers) with MEASURE_COUNT, and resolves the JSON it wrote to MEASURE_OUT.
 */
export function runMeasurement(file, count) {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "colivara-bench-measure-"));
  const out = join(dir, "figures.json");
  try {
    const run = spawnSync(process.execPath, [vitest, "run", "--config", "vitest.measure.config.ts", file], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, MEASURE_COUNT: String(count), MEASURE_OUT: out },
    });
    if (run.status !== 0) throw new Error(`the measurement ${file} failed:\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
