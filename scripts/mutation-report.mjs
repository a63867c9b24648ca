#!/usr/bin/env node
// Writes test/mutation/report.md from Stryker's JSON report (reports/mutation/mutation.json,
// written by `pnpm mutation`): the score per module, every mutant left standing with the
// reason its source gives (a comment starting "Equivalent mutant" just above it), and the
// mutants a Stryker directive set aside, grouped by the directive's reason. Exits 1 when a
// survivor has no written reason, so a new gap cannot hide in the report.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const report = JSON.parse(readFileSync(`${root}reports/mutation/mutation.json`, "utf8"));
const STATIC = /^Static mutant/;

/** The "Equivalent mutant…" comment block within a few lines above `line` (1-based). */
function writtenReason(lines, line) {
  for (let i = line - 2; i >= Math.max(0, line - 8); i--) {
    if (!/^\s*\/\//.test(lines[i] ?? "")) continue;
    let start = i;
    while (start > 0 && /^\s*\/\//.test(lines[start - 1])) start--;
    const block = lines
      .slice(start, i + 1)
      .map((text) => text.replace(/^\s*\/\/\s?/, ""))
      .join(" ");
    if (/Equivalent mutant/.test(block)) return block;
  }
  return undefined;
}

const rows = [];
const standing = [];
const directives = new Map();
let unexplained = 0;
for (const [path, file] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const name = relative(root, path.startsWith("/") ? path : `${root}${path}`);
  const lines = file.source.split("\n");
  const count = { detected: 0, undetected: 0, directive: 0 };
  for (const mutant of file.mutants) {
    const at = `${name}:${mutant.location.start.line}`;
    if (mutant.status === "Killed" || mutant.status === "Timeout") count.detected++;
    else if (mutant.status === "Survived" || mutant.status === "NoCoverage") {
      count.undetected++;
      const reason = writtenReason(lines, mutant.location.start.line);
      if (reason === undefined) unexplained++;
      standing.push(
        `| \`${at}\` | ${mutant.mutatorName} \`${mutant.replacement ?? ""}\` | ${reason ?? "**no written reason**"} |`,
      );
    } else if (mutant.status === "Ignored" && !STATIC.test(mutant.statusReason ?? "")) {
      count.directive++;
      const key = `${mutant.mutatorName}: ${mutant.statusReason}`;
      directives.set(key, [...(directives.get(key) ?? []), at]);
    }
  }
  rows.push({ name, ...count });
}

const percent = (part, whole) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`);
const total = rows.reduce((sum, row) => ({
  detected: sum.detected + row.detected,
  undetected: sum.undetected + row.undetected,
  directive: sum.directive + row.directive,
}));
const line = (row) =>
  `| ${row.name} | ${row.detected} | ${row.undetected} | ${row.directive} | ${percent(row.detected, row.detected + row.undetected)} | ${percent(row.detected, row.detected + row.undetected + row.directive)} |`;
const text = `# Mutation report

Written by \`pnpm mutation\` (StrykerJS with its vitest runner; \`stryker.config.mjs\` names the
modules, \`vitest.mutation.config.ts\` the tests: the core's own suites) from its last run.
Score: detected (killed or timed out) over detected and undetected. The strict score also
counts as undetected the mutants that a \`// Stryker disable\` directive sets aside as
equivalent (and, as a directive covers a whole line, the killable ones that share its line).
Static mutants (module-level constants) are not run.

| module | detected | undetected | set aside | score | strict |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.map(line).join("\n")}
${line({ name: "**all**", ...total })}

## Mutants left standing, each with the reason in its source

| where | mutant | why no test can tell it apart |
| --- | --- | --- |
${standing.join("\n") || "| | none | |"}

## Mutants set aside by a directive, by its reason

${[...directives]
  .map(([reason, where]) => `- ${reason} (${where.length}: ${[...new Set(where)].map((at) => `\`${at}\``).join(", ")})`)
  .join("\n")}
`;
writeFileSync(`${root}test/mutation/report.md`, text);
console.log(
  `Mutation score ${percent(total.detected, total.detected + total.undetected)} (strict ${percent(total.detected, total.detected + total.undetected + total.directive)}); report: test/mutation/report.md`,
);
if (unexplained > 0) {
  console.error(`${unexplained} surviving mutant(s) have no written reason: kill them with a test or explain them.`);
  process.exitCode = 1;
}
