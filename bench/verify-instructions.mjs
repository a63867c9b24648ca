// The core's verify() against bare node:crypto (bench/core-verify.mjs) at 1 KiB, counted in
// instructions and allocated bytes per call instead of ops/s, which move with the shared
// machine's load. Each side runs in its own process under valgrind's callgrind: a warm-up
// series, then a measured one whose instructions callgrind dumps on their own (the same
// process.cpuUsage() edges as servers/instruction-driver.mjs), main thread only. Allocated
// bytes are counted without valgrind, with servers/heap-meter.mjs. Needs valgrind
// (apt-get install valgrind) and `pnpm build` (the built package, as users get it).
//
//   node bench/verify-instructions.mjs [--warmup 20000] [--measured 20000] [--before <dist/index.mjs>] [--after <dist/index.mjs>] [--sides ours,bare] [--json]
//
// --before also counts another build of the core (a copy of packages/core/dist taken before
// a change, say) as the side "before", so one run gives a change's before and after; --after
// counts a copy in place of the current build as "ours".
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { cannotCount, measuredInstructions } from "./callgrind.mjs";
import { bareVerifier } from "./core-verify.mjs";
import { KiB, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";
import { startHeapMeter } from "./servers/heap-meter.mjs";

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);

const { values } = parseArgs({
  options: {
    warmup: { type: "string", default: "20000" },
    measured: { type: "string", default: "20000" },
    before: { type: "string" },
    after: { type: "string" },
    sides: { type: "string", default: "ours,bare" },
    json: { type: "boolean", default: false },
    // Internal: one side, run by the parent (under valgrind for "instructions").
    child: { type: "string" },
    count: { type: "string" },
  },
});

/** One call of ours or bare, as core-verify.mjs makes it: ours awaited, bare synchronous. */
async function caller(side) {
  const body = upsertSuccessBody(1 * KiB);
  const headers = signDelivery(body, { brand: "svix" });
  if (side === "bare") {
    const bare = bareVerifier(SECRET);
    return async (total) => {
      for (let i = 0; i < total; i++) bare(body, headers);
    };
  }
  const copy = side === "before" ? values.before : values.after;
  const module = copy ? pathToFileURL(resolve(copy)).href : "@colivara/webhooks";
  const { createVerifier } = await import(module);
  const ours = createVerifier({ secret: SECRET });
  if (ours.engine !== "node") throw new Error("ours should hash with node:crypto");
  return async (total) => {
    for (let i = 0; i < total; i++) await ours.verify(body, headers);
  };
}

async function child(side, mode) {
  const series = await caller(side);
  await series(Number(values.warmup));
  // An empty young generation (see YOUNG): no collection runs during the measured calls.
  globalThis.gc();
  if (mode === "instructions") {
    // callgrind dumps (and resets) its counters on entering node::CPUUsage.
    process.cpuUsage();
    await series(Number(values.count));
    process.cpuUsage();
    process.exit(0);
  }
  const meter = startHeapMeter();
  await series(Number(values.count));
  const { allocatedBytes, collections } = meter.read();
  process.stdout.write(JSON.stringify({ allocatedBytes, collections }));
}

/**
 * A young generation large enough that the measured calls (20,000 of 4 KB or less) trigger
 * no collection: a count then holds only the calls' own work, the same from run to run (with
 * collections in the series, two runs of one build differed by up to 0.5%), and the growth
 * of the used heap is exactly what they allocated. What that garbage costs later is in the
 * bytes per call.
 */
const YOUNG = [
  "--no-concurrent-recompilation",
  "--expose-gc",
  "--min-semi-space-size=256",
  "--max-semi-space-size=256",
];

const childArgs = (side, mode, count) => [
  ...YOUNG,
  self,
  "--child",
  `${side}:${mode}`,
  "--count",
  String(count),
  "--warmup",
  values.warmup,
  ...(values.before ? ["--before", values.before] : []),
  ...(values.after ? ["--after", values.after] : []),
];

async function instructions(dumps, side) {
  const count = Number(values.measured);
  return measuredInstructions(join(dumps, side), childArgs(side, "instructions", count), count);
}

async function allocations(side) {
  const count = Number(values.measured);
  const { stdout } = await run(process.execPath, childArgs(side, "allocations", count));
  const { allocatedBytes, collections } = JSON.parse(stdout);
  if (collections > 0) throw new Error(`${side}: ${collections} collections during the allocation count`);
  return allocatedBytes / count;
}

if (values.child) {
  const [side, mode] = values.child.split(":");
  await child(side, mode);
} else {
  const missing = cannotCount();
  if (missing) {
    console.error(`${missing}; nothing measured.`);
    process.exit(2);
  }
  const dumps = mkdtempSync(join(tmpdir(), "colivara-verify-callgrind-"));
  process.on("exit", () => rmSync(dumps, { recursive: true, force: true }));
  const sides = values.sides.split(",");
  if (values.before) sides.push("before");
  // The valgrinds side by side (a count does not depend on load), then the heap counts.
  const counts = await Promise.all(sides.map((side) => instructions(dumps, side)));
  const result = { instructionsPerCall: {}, allocatedBytesPerCall: {} };
  for (const [i, side] of sides.entries()) {
    result.instructionsPerCall[side] = counts[i];
    result.allocatedBytesPerCall[side] = await allocations(side);
  }
  const { ours, bare } = result.instructionsPerCall;
  if (ours !== undefined && bare !== undefined) result.instructionsPerCall.oursOverBare = ours / bare;
  if (values.json) console.log(JSON.stringify(result));
  else {
    for (const side of sides) {
      const instructions = Math.round(result.instructionsPerCall[side]);
      const bytes = Math.round(result.allocatedBytesPerCall[side]);
      console.log(`${side.padEnd(7)} ${instructions} instructions/call  ${bytes} B/call allocated (JavaScript heap)`);
    }
    if (result.instructionsPerCall.oursOverBare !== undefined) {
      console.log(`ours/bare instructions: ${result.instructionsPerCall.oursOverBare.toFixed(3)}`);
    }
  }
}
