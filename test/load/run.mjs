#!/usr/bin/env node
// pnpm test:load [--ci] [--requests N] [--concurrency N] [--tricklers N] [--trickle-rounds N]
//                [--targets express,fastify,next-app,next-pages,next-edge] [--seed N] [--no-faults]
//                [--kinds valid,tampered,…]   (investigate some kinds of the mix only)
//
// Runs the load suite (vitest.load.config.ts) with the size given by the flags, then prints
// one line of figures per target. Exits non-zero on any violation. See README.md here.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The CI size: every kind of the mix many times over, about a minute per target on 2 cores. */
const CI = { requests: 4000, concurrency: 64, tricklers: 128, "trickle-rounds": 2, "flood-uploads": 4 };
const FULL = { requests: 20_000, concurrency: 64, tricklers: 256, "trickle-rounds": 3, "flood-uploads": 16 };

function parse(argv) {
  const options = { ...FULL };
  let ci = false;
  let faults = true;
  const rest = [...argv];
  while (rest.length > 0) {
    const flag = rest.shift();
    if (flag === "--") continue;
    if (flag === "--ci") {
      ci = true;
      continue;
    }
    if (flag === "--no-faults") {
      faults = false;
      continue;
    }
    const [name, inline] = flag.startsWith("--") ? flag.slice(2).split("=", 2) : [undefined];
    if (
      !["requests", "concurrency", "tricklers", "trickle-rounds", "flood-uploads", "targets", "seed", "kinds"].includes(
        name,
      )
    ) {
      throw new Error(`unknown flag ${flag}; see the header of test/load/run.mjs`);
    }
    const value = inline ?? rest.shift();
    if (value === undefined) throw new Error(`${flag} needs a value`);
    options[name] = value;
  }
  if (ci)
    for (const [name, value] of Object.entries(CI))
      if (!argv.some((a) => a.startsWith(`--${name}`))) options[name] = value;
  return { options, faults };
}

const { options, faults } = parse(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), "colivara-load-"));
const resultsFile = join(dir, "results.jsonl");
const env = {
  ...process.env,
  LOAD_REQUESTS: String(options.requests),
  LOAD_CONCURRENCY: String(options.concurrency),
  LOAD_TRICKLERS: String(options.tricklers),
  LOAD_TRICKLE_ROUNDS: String(options["trickle-rounds"]),
  LOAD_FLOOD_UPLOADS: String(options["flood-uploads"]),
  LOAD_RESULTS: resultsFile,
  ...(options.targets ? { LOAD_TARGETS: options.targets } : {}),
  ...(options.seed ? { LOAD_SEED: String(options.seed) } : {}),
  ...(options.kinds ? { LOAD_KINDS: options.kinds } : {}),
};
const files = faults ? [] : ["test/load/hostile-mix.load.ts", "test/load/chunk-flood.load.ts"];
const vitest = join(root, "node_modules/vitest/vitest.mjs");

const started = performance.now();
const child = spawn(process.execPath, [vitest, "run", "--config", "vitest.load.config.ts", ...files], {
  cwd: root,
  env,
  stdio: "inherit",
});
const code = await new Promise((resolve) =>
  child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
const seconds = (performance.now() - started) / 1000;

let lines = [];
try {
  lines = readFileSync(resultsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
} catch {
  // No results: the suite failed before any target finished.
}
rmSync(dir, { recursive: true, force: true });

const n = (value) => (typeof value === "number" ? value.toLocaleString("en-US") : String(value ?? "?"));
console.log(
  `\nLoad suite: ${n(Number(options.requests))} requests per target, concurrency ${options.concurrency}, ${Math.round(seconds)} s in all`,
);
for (const r of lines) {
  if (r.flood) {
    console.log(
      `${r.target.padEnd(10)} one-byte chunks: ${n(r.chunks)}-byte body held +${n(r.heldMiB)} MiB while read; ` +
        `${n(r.floods)} such uploads with ${n(r.genuineDuringFloods)} genuine deliveries, lost ${n(r.lost)}, doubly ${n(r.doubly)}, ` +
        `forged ${n(r.forged)}; heap+external ${n(r.baselineRetainedMiB)} -> ${n(r.afterRetainedMiB)} MiB (heap cap ${n(r.heapMiB)} MiB)`,
    );
    continue;
  }
  console.log(
    `${r.target.padEnd(10)} requests ${n(r.requests)} | wrong statuses ${n(r.wrongStatuses)} | lost ${n(r.lost)} | ` +
      `doubly handled ${n(r.doubly)} | forged handled ${n(r.forged)} | peak RSS ${n(r.peakMiB)} MiB | ${n(r.rps)} rps`,
  );
  const slow =
    typeof r.slowUploads === "number"
      ? `slow uploads ${n(r.slowUploads)} (${n(r.slowConcurrent)} at once) all cut off, ${n(r.genuineDuringSlow)} genuine answered meanwhile, peak RSS ${n(r.slowPeakMiB)} MiB`
      : "no slow-upload phase";
  console.log(
    `${"".padEnd(10)} after a full GC: RSS ${n(r.baselineMiB)} -> ${n(r.afterMiB)} MiB, heap+external ` +
      `${n(r.baselineRetainedMiB)} -> ${n(r.afterRetainedMiB)} MiB, open fds ${n(r.baselineFds)} -> ${n(r.afterFds)}; ${slow}`,
  );
  console.log(
    `${"".padEnd(10)} ${n(r.genuine)} genuine deliveries, ${n(r.retries)} retries of 409; refused uploads reset before ` +
      `their answer was read ${n(r.resets)}; 408 under saturation: genuine (retried) ${n(r.busy408)}, oversized ${n(r.oversized408)}; seed ${r.seed}`,
  );
  for (const [kind, why] of Object.entries(r.notSent ?? {})) console.log(`${"".padEnd(10)} not sent: ${kind} (${why})`);
}
process.exitCode = code;
