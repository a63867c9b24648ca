// Benchmark charts from a `pnpm bench --json` run, so that a new run redraws them:
//
//   pnpm docs:bench     pnpm bench --json into docs/.vitepress/bench-results.json, then this
//   node docs/.vitepress/bench-charts.mjs <results.json>
//
// Writes docs/public/bench/verify.svg (the verifier's ops/s against svix, standardwebhooks and
// a bare node:crypto check) and docs/public/bench/adapters.svg (each adapter's requests/s as a
// share of its floor), and rewrites the part of docs/benchmarks.md between the bench-charts
// markers: the run's environment, both charts and the tables they were drawn from.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const START = "<!-- bench-charts:start -->";
const END = "<!-- bench-charts:end -->";
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const COLORS = { ours: "#3b6fd8", svix: "#9ca3af", standardwebhooks: "#c4b5fd", bare: "#12805c" };
const LABELS = {
  ours: "@colivara/webhooks",
  svix: "svix",
  standardwebhooks: "standardwebhooks",
  bare: "bare node:crypto",
};

/** The JSON document in what `pnpm bench --json` printed (pnpm's own lines come first). */
export function parseResults(text) {
  const start = text.search(/^\{\s*"environment"/m);
  if (start < 0) throw new Error("no `pnpm bench --json` document found: expected a JSON object with environment");
  const doc = JSON.parse(text.slice(start));
  if (!Array.isArray(doc.sections)) throw new Error("the bench document has no sections");
  return doc;
}

const escapeXml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const formatNumber = (value) =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3).replace(/\.?0+$/, "");

/**
 * Horizontal bars, one group per row: `rows` are `{ label, bars: [{ key, value, text }] }`,
 * scaled to the largest value of the whole chart (or of each group with `perGroup`).
 */
export function barChart({ title, rows, legend, perGroup = false, marker }) {
  const width = 760;
  const labelWidth = 150;
  const barArea = width - labelWidth - 90;
  const barHeight = 14;
  const groupGap = 14;
  const legendHeight = legend ? 26 : 0;
  let y = 34 + legendHeight;
  const parts = [];
  const overall = Math.max(...rows.flatMap((row) => row.bars.map((bar) => bar.value)));
  for (const row of rows) {
    const scale = perGroup ? Math.max(...row.bars.map((bar) => bar.value)) : overall;
    const groupHeight = row.bars.length * (barHeight + 3);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" text-anchor="end" font-size="12">${escapeXml(row.label)}</text>`,
    );
    for (const bar of row.bars) {
      const length = Math.max(1, (bar.value / scale) * barArea);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${COLORS[bar.key] ?? "#3b6fd8"}"><title>${escapeXml(`${row.label}, ${LABELS[bar.key] ?? bar.key}: ${bar.text}`)}</title></rect>`,
        `<text x="${(labelWidth + length + 5).toFixed(1)}" y="${y + barHeight - 3}" font-size="11">${escapeXml(bar.text)}</text>`,
      );
      y += barHeight + 3;
    }
    y += groupGap;
  }
  if (marker) {
    const x = labelWidth + (marker.value / overall) * barArea;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${30 + legendHeight}" x2="${x.toFixed(1)}" y2="${y - groupGap + 4}" stroke="#b42318" stroke-dasharray="4 3"/>`,
      `<text x="${x.toFixed(1)}" y="${y + 8}" text-anchor="middle" font-size="11" fill="#b42318">${escapeXml(marker.label)}</text>`,
    );
    y += 12;
  }
  const legendParts = (legend ?? []).map((key, i) => {
    const x = labelWidth + i * 150;
    return `<rect x="${x}" y="30" width="12" height="12" fill="${COLORS[key]}"/><text x="${x + 17}" y="40" font-size="12">${escapeXml(LABELS[key] ?? key)}</text>`;
  });
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} role="img" aria-label="${escapeXml(title)}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
${[...legendParts, ...parts].join("\n")}
</svg>
`;
}

/** The verifier's chart: ops/s per body size, each size scaled on its own. */
export function verifyChart(section) {
  const keys = ["ours", "svix", "standardwebhooks", "bare"];
  const rows = section.results.map((result) => ({
    label: result.size,
    bars: keys
      .filter((key) => result.opsPerSec[key] !== undefined)
      .map((key) => ({ key, value: result.opsPerSec[key], text: `${formatNumber(result.opsPerSec[key])} ops/s` })),
  }));
  return barChart({ title: "verify(): deliveries per second (longer is faster)", rows, legend: keys, perGroup: true });
}

/** The adapters' chart: ours/floor, requests/s, per adapter and body size; 1.0 is the floor. */
export function adapterChart(rows) {
  return barChart({
    title: "Requests per second as a share of the least a verifying route can do (1.0 = the floor)",
    rows: rows.map((row) => ({
      label: `${row.adapter}, ${row.size}`,
      bars: [{ key: "ours", value: row.oursOverFloor, text: `${row.oursOverFloor.toFixed(2)}×` }],
    })),
    marker: { value: 1, label: "floor" },
  });
}

const table = (header, rows) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** The Markdown between the markers: what the run was, the charts and their figures. */
export function chartsBlock(doc, charts) {
  const env = doc.environment ?? {};
  const lines = [
    "## Charts",
    "",
    `Drawn from one \`pnpm bench --json\` run (${env.date ?? "date unknown"}, Node ${env.node ?? "?"}, ${env.cpuCount ?? "?"} × ${env.cpu ?? "?"}${env.quick ? ", --quick: indicative only" : ""}) by \`pnpm docs:bench\`; run it to redraw them on your machine.`,
  ];
  if (charts.verify) {
    lines.push(
      "",
      "![verify() ops/s against svix, standardwebhooks and a bare node:crypto check](/bench/verify.svg)",
      "",
      table(
        ["body", "ours ops/s", "ours/svix", "ours/bare"],
        charts.verify.results.map((r) => [
          r.size,
          formatNumber(r.opsPerSec.ours),
          `${r.ratios.oursOverSvix.toFixed(2)}×`,
          `${r.ratios.oursOverBare.toFixed(2)}×`,
        ]),
      ),
    );
  }
  if (charts.adapters.length > 0) {
    lines.push(
      "",
      "![Each adapter's requests per second as a share of its floor](/bench/adapters.svg)",
      "",
      table(
        ["adapter", "body", "ours/floor", "ours/bare", "ours/svix", "heap bytes ours/floor", "instructions ours/floor"],
        charts.adapters.map((r) => {
          const counted = instructionsOf(doc, r);
          return [
            r.adapter,
            r.size,
            `${r.oursOverFloor.toFixed(2)}×`,
            `${r.oursOverBare.toFixed(2)}×`,
            `${r.oursOverSvix.toFixed(2)}×`,
            r.allocationOverFloor === undefined ? "" : `${r.allocationOverFloor.toFixed(2)}×`,
            counted === undefined ? "" : `${counted.instructionsOverFloor.toFixed(3)}×`,
          ];
        }),
      ),
    );
  }
  return lines.join("\n");
}

/** The run's instruction count for an adapter row (the instructions section counts 1 KiB only). */
function instructionsOf(doc, row) {
  const section = doc.sections.find((candidate) => candidate.name === "instructions");
  return section?.results?.find((r) => r.adapter === row.adapter && r.size === row.size);
}

/** `page` with the part between the markers replaced by `block`. */
export function replaceBlock(page, block) {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the benchmarks page has no ${START} … ${END} block`);
  return `${page.slice(0, start + START.length)}\n\n${block}\n\n${page.slice(end)}`;
}

/** Draws the charts of one run into `docsDir` (public/bench/*.svg and benchmarks.md). */
export async function drawCharts(doc, docsDir) {
  const verify = doc.sections.find((section) => section.name === "core-verify");
  const adapters = doc.sections.flatMap((section) =>
    (Array.isArray(section.results) ? section.results : []).filter((r) => r.oursOverFloor !== undefined),
  );
  if (!verify && adapters.length === 0) throw new Error("the run has neither core-verify nor an adapter section");
  await mkdir(new URL("public/bench/", docsDir), { recursive: true });
  if (verify) await writeFile(new URL("public/bench/verify.svg", docsDir), verifyChart(verify));
  if (adapters.length > 0) await writeFile(new URL("public/bench/adapters.svg", docsDir), adapterChart(adapters));
  const pageUrl = new URL("benchmarks.md", docsDir);
  const page = await readFile(pageUrl, "utf8");
  await writeFile(pageUrl, replaceBlock(page, chartsBlock(doc, { verify, adapters })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2];
  if (!input) {
    console.error("usage: node docs/.vitepress/bench-charts.mjs <output of pnpm bench --json>");
    process.exit(2);
  }
  const doc = parseResults(await readFile(input, "utf8"));
  await drawCharts(doc, new URL("../", import.meta.url));
  console.log("drew docs/public/bench/*.svg and the charts block of docs/benchmarks.md");
}
