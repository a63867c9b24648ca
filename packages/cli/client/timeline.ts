// The timeline: a circle per delivery (its verdict) above a square (the answer it got).
// Ordinal spacing: every delivery gets the same room, so a burst after a long pause stays
// readable; a dashed line marks each pause of 10 s or more, labelled with its length.
import type { DeliveryReport } from "../src/delivery-report.js";
import { byId, clear, svg } from "./dom.js";
import { pauseText, statusClass } from "./format.js";
import { state } from "./state.js";

const PAUSE_MS = 10_000;
const COLORS: Record<DeliveryReport["verdict"], string> = {
  accepted: "#1a7f37",
  rejected: "#cf222e",
  duplicate: "#9a6700",
};

function label(x: number, y: number, text: string, className = "label"): SVGTextElement {
  const node = svg("text", { x, y, class: className });
  node.textContent = text;
  return node;
}

function drawPause(chart: SVGSVGElement, x: number, gap: number): void {
  const g = svg("g", { class: "pause" });
  g.append(svg("line", { x1: x, y1: 14, x2: x, y2: 86, class: "pause-line" }));
  const text = label(x, 98, `+${pauseText(gap)}`, "label pause-label");
  text.setAttribute("text-anchor", "middle");
  g.append(text);
  chart.append(g);
}

function drawDelivery(chart: SVGSVGElement, d: DeliveryReport, x: number, select: (seq: number) => void): void {
  const g = svg("g", { class: `tick${d.seq === state.selected ? " selected" : ""}`, "data-seq": d.seq });
  const answer = d.app ? d.app.status : d.status;
  g.append(
    svg("line", { x1: x, y1: 28, x2: x, y2: 72, class: "link" }),
    svg("circle", { cx: x, cy: 28, r: 6, fill: COLORS[d.verdict] }),
    svg("rect", { x: x - 5, y: 67, width: 10, height: 10, class: `answer ${statusClass(answer)}` }),
  );
  const tip = svg("title");
  tip.textContent = `#${d.seq} ${d.type ?? ""}: ${d.verdict}, answered ${d.status}`;
  g.append(tip);
  g.addEventListener("click", () => select(d.seq));
  chart.append(g);
}

/** Draws the timeline of the deliveries the page holds. */
export function drawTimeline(select: (seq: number) => void): void {
  const chart = byId<SVGSVGElement>("timeline");
  clear(chart);
  chart.append(
    svg("line", { x1: 90, y1: 28, x2: 990, y2: 28, class: "axis" }),
    svg("line", { x1: 90, y1: 72, x2: 990, y2: 72, class: "axis" }),
    label(4, 32, "deliveries"),
    label(4, 76, "answers"),
  );
  const list = state.list;
  const step = list.length <= 1 ? 0 : Math.min(40, 880 / (list.length - 1));
  list.forEach((d, i) => {
    const x = list.length === 1 ? 540 : 100 + i * step;
    const previous = list[i - 1];
    const gap = previous === undefined ? 0 : Date.parse(d.receivedAt) - Date.parse(previous.receivedAt);
    if (gap >= PAUSE_MS) drawPause(chart, x - step / 2, gap);
    drawDelivery(chart, d, x, select);
  });
}
