// Entry of `pnpm bench`: runs every benchmark section in one process and prints one report.
//
//   node bench/run.mjs            full run (stable numbers; core section well under a minute)
//   node bench/run.mjs --quick    short timings, for a smoke test
//   node bench/run.mjs --json     machine-readable results on stdout (progress on stderr)
//   node bench/run.mjs --only core-verify   run only the named section(s), comma-separated
//   node bench/run.mjs --skip instructions  run all but the named section(s)
//
// A section is a module exporting an async function ({ quick, log }) => result, where the
// result has { name, title, table, checks: [{ name, pass, target, actual }], ... }; an
// adapter section's `results` hold its ratios to the floor, bare and svix routes (see
// lib.mjs adapterResult), gathered into one summary at the end. Targets are reported as
// PASS/MISS; a miss never changes the exit code (machines vary, and this one is shared).
// The instructions section counts ours and the floor of the adapters measured (valgrind; not
// with --quick); `pnpm bench:instructions` (instructions.mjs) counts every route.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { HTTP_SECTIONS } from "./adapters-http.mjs";
import { coreVerify } from "./core-verify.mjs";
import { FETCH_SECTIONS } from "./fetch.mjs";
import { handOffSection } from "./hand-off.mjs";
import { ADAPTERS } from "./instruction-counts.mjs";
import { instructionsSection } from "./instructions-section.mjs";
import { renderTable } from "./lib.mjs";
import { metadataSection } from "./metadata.mjs";
import { observabilitySection } from "./observability.mjs";
import { postgresSection } from "./postgres.mjs";
import { redisWaitSection } from "./redis-wait.mjs";

const SECTIONS = [
  { name: "core-verify", run: coreVerify },
  { name: "metadata", run: metadataSection },
  ...HTTP_SECTIONS,
  ...FETCH_SECTIONS,
  { name: "instructions", run: instructionsSection },
  { name: "hand-off", run: handOffSection },
  { name: "observability", run: observabilitySection },
  { name: "redis-wait", run: redisWaitSection },
  { name: "postgres", run: postgresSection },
];

const summaryTitle =
  "Summary per adapter and size: ours, and ours over the floor (requests/s: paired rounds, medians; heap KiB per delivery, medians; instructions per request, callgrind, 1 KiB only)";
const SUMMARY_COLUMNS = ["adapter", "body", "req/s", "/floor", "/svix", "heap KiB", "/floor", "instructions", "/floor"];

/** The instruction count of an adapter's row, from the instructions section of this run. */
const instructionsOf = (row) =>
  sections
    .find((s) => s.name === "instructions")
    ?.results.find((r) => r.adapter === row.adapter && r.bytes === row.bytes);

function summaryRow(r) {
  const x = (ratio) => (ratio === undefined ? "" : `${ratio.toFixed(2)}x`);
  const counted = instructionsOf(r);
  return [
    r.adapter,
    r.size,
    Math.round(r.opsPerSec.ours).toLocaleString("en-US"),
    x(r.oursOverFloor),
    x(r.oursOverSvix),
    r.heap === undefined ? "" : (r.heap.ours.allocatedBytes / 1024).toFixed(1),
    x(r.allocationOverFloor),
    counted === undefined ? "" : `${(counted.instructions.ours / 1e3).toFixed(0)}K`,
    counted === undefined ? "" : `${counted.instructionsOverFloor.toFixed(3)}x`,
  ];
}

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    only: { type: "string" },
    skip: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    `Usage: node bench/run.mjs [--quick] [--json] [--only <section,...>] [--skip <section,...>]\nSections: ${SECTIONS.map((s) => s.name).join(", ")}`,
  );
  process.exit(0);
}

const wanted = values.only?.split(",").map((s) => s.trim());
const skipped = values.skip?.split(",").map((s) => s.trim()) ?? [];
const unknown = [...(wanted ?? []), ...skipped].filter((name) => !SECTIONS.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`Unknown section(s): ${unknown.join(", ")}. Known: ${SECTIONS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

// With --json, stdout carries only the JSON document; everything human goes to stderr.
const out = values.json ? (line) => process.stderr.write(`${line}\n`) : (line) => process.stdout.write(`${line}\n`);
const environment = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpu: cpus()[0]?.model ?? "unknown",
  cpuCount: cpus().length,
  quick: values.quick,
  date: new Date().toISOString(),
};

out(`colivara-webhooks benchmark — Node ${environment.node}, ${environment.cpu} ×${environment.cpuCount}`);
if (values.quick) out("(--quick: short timings, numbers are indicative only)");

// The instructions section counts the adapters this run measures (all of them when none).
const adapterSections = SECTIONS.map((s) => s.name).filter(
  (name) => name in ADAPTERS && wanted?.includes(name) !== false,
);
const sections = [];
for (const section of SECTIONS) {
  if ((wanted && !wanted.includes(section.name)) || skipped.includes(section.name)) continue;
  out(`\n▶ ${section.name}`);
  const started = performance.now();
  const result = await section.run({ quick: values.quick, log: out, adapters: adapterSections });
  result.durationMs = Math.round(performance.now() - started);
  sections.push(result);
  out(`\n${result.title}  (${(result.durationMs / 1000).toFixed(1)} s)\n`);
  out(result.table);
  if (result.checks.length > 0) out("");
  for (const check of result.checks) {
    const unit = check.unit === undefined ? "x" : ` ${check.unit}`;
    out(
      `  ${check.pass ? "PASS" : "MISS"}  ${check.name}: ${check.actual.toFixed(2)}${unit} (target ${check.target}${unit})`,
    );
  }
}

// One line per adapter and size: requests/s, heap bytes and instructions per delivery, each
// next to the floor's.
const adapterRows = sections.flatMap((s) =>
  (Array.isArray(s.results) ? s.results : []).filter((r) => r.oursOverFloor !== undefined),
);
if (adapterRows.length > 0) out(`\n${summaryTitle}\n\n${renderTable(SUMMARY_COLUMNS, adapterRows.map(summaryRow))}`);

const checks = sections.flatMap((s) => s.checks);
const missed = checks.filter((c) => !c.pass).length;
out(
  `\n${checks.length - missed}/${checks.length} targets met${missed > 0 ? " (misses are reported, not fatal)" : ""}.`,
);

if (values.json) {
  // The rendered table is for humans; the same figures are in `results`.
  const data = sections.map(({ table: _table, ...rest }) => rest);
  process.stdout.write(`${JSON.stringify({ environment, sections: data }, null, 2)}\n`);
}
