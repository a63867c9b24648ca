// The benchmark charts are drawn from what `pnpm bench --json` prints, so a new run redraws
// them: a run's document (here two sections in the shape bench/run.mjs writes, behind pnpm's
// own lines) becomes two SVG charts whose bars follow the figures, and the page's block
// between its markers, with the same figures in tables, replaced and nothing else.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  adapterChart,
  drawCharts,
  parseResults,
  replaceBlock,
  verifyChart,
} from "../../docs/.vitepress/bench-charts.mjs";
import { root } from "./readme-samples.js";

const adapter = (name: string, size: string, oursOverFloor: number) => ({
  adapter: name,
  size,
  oursOverFloor,
  oursOverBare: oursOverFloor * 0.8,
  oursOverSvix: 2,
  ...(size === "1 KiB" && { allocationOverFloor: 1.25 }),
});
const run = {
  environment: { node: "v20.20.0", cpu: "Test CPU", cpuCount: 2, quick: false, date: "2026-12-01T00:00:00.000Z" },
  sections: [
    {
      name: "core-verify",
      results: [
        {
          size: "1 KiB",
          opsPerSec: { ours: 120_000, svix: 40_000, standardwebhooks: 30_000, bare: 160_000 },
          ratios: { oursOverSvix: 3, oursOverBare: 0.75 },
        },
      ],
    },
    { name: "express", results: [adapter("Express", "1 KiB", 0.9), adapter("Express", "64 KiB", 0.45)] },
    {
      name: "instructions",
      results: [{ adapter: "Express", bytes: 1024, size: "1 KiB", instructionsOverFloor: 1.0634 }],
    },
  ],
};
const printed = `\n> colivara-webhooks-monorepo@ bench /repo\n> pnpm build && node bench/run.mjs --json\n\n${JSON.stringify(run, null, 2)}\n`;

/** The width of each bar of a chart, in order. */
const widths = (svg: string) =>
  [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]));

describe("benchmark charts from pnpm bench --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-charts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the run's document behind pnpm's own lines, and refuses output without one", () => {
    expect(parseResults(printed)).toEqual(run);
    expect(() => parseResults("> pnpm build\nbuild complete\n")).toThrow(/no `pnpm bench --json` document/);
  });

  it("draws bars in proportion to the figures", () => {
    const [ours, svix, standardwebhooks, bare] = widths(verifyChart(run.sections[0]));
    expect((ours as number) / (bare as number)).toBeCloseTo(120_000 / 160_000, 2);
    expect((svix as number) / (bare as number)).toBeCloseTo(40_000 / 160_000, 2);
    expect((standardwebhooks as number) / (bare as number)).toBeCloseTo(30_000 / 160_000, 2);
    const adapters = adapterChart(run.sections[1]?.results);
    const [fast, slow] = widths(adapters);
    expect((slow as number) / (fast as number)).toBeCloseTo(0.5, 2);
    expect(adapters).toContain("Express, 64 KiB");
    expect(adapters).toContain("0.45×");
    expect(adapters).toContain(">floor</text>");
  });

  it("redraws the charts and the page's block from a run, leaving the rest of the page alone", async () => {
    cpSync(join(root, "docs/benchmarks.md"), join(dir, "benchmarks.md"));
    const before = readFileSync(join(dir, "benchmarks.md"), "utf8");
    await drawCharts(run, pathToFileURL(`${dir}/`));
    const page = readFileSync(join(dir, "benchmarks.md"), "utf8");
    expect(page).toContain(
      "![verify() ops/s against svix, standardwebhooks and a bare node:crypto check](/bench/verify.svg)",
    );
    expect(page).toContain("| 1 KiB | 120,000 | 3.00× | 0.75× |");
    // Heap bytes and instructions (counted at 1 KiB only) from the same run, beside requests/s.
    expect(page).toContain("| Express | 1 KiB | 0.90× | 0.72× | 2.00× | 1.25× | 1.063× |");
    expect(page).toContain("| Express | 64 KiB | 0.45× | 0.36× | 2.00× |  |  |");
    expect(page).toContain("2026-12-01T00:00:00.000Z, Node v20.20.0, 2 × Test CPU");
    expect(readFileSync(join(dir, "public/bench/verify.svg"), "utf8")).toContain("120,000 ops/s");
    expect(readFileSync(join(dir, "public/bench/adapters.svg"), "utf8")).toContain("0.90×");
    const outside = (text: string) => text.replace(/<!-- bench-charts:start -->[\s\S]*<!-- bench-charts:end -->/, "");
    expect(outside(page)).toBe(outside(before));
    // A second run replaces the block rather than adding one.
    expect(replaceBlock(page, "again").match(/bench-charts:start/g)).toHaveLength(1);
    expect(replaceBlock(page, "again")).not.toContain("120,000");
  });
});
