// The inspector page's entry: live deliveries from the listener's event stream, rendered as
// a list, a timeline and the selected delivery. Built into dist/inspector/app.js.
import type { DeliveryReport } from "../src/delivery-report.js";
import type { InspectorHello } from "../src/inspector-protocol.js";
import { olderThan } from "./api.js";
import { renderDetail } from "./detail.js";
import { byId } from "./dom.js";
import { renderList, renderTypes } from "./list.js";
import { state, take } from "./state.js";
import { drawTimeline } from "./timeline.js";

function render(): void {
  renderTypes();
  renderList({ select, loadOlder: () => void loadOlder() });
  renderDetail();
  drawTimeline(select);
}

function select(seq: number): void {
  state.selected = seq;
  state.pinned = true;
  render();
}

async function loadOlder(): Promise<void> {
  const first = state.list[0]?.seq;
  if (first === undefined) return;
  try {
    const page = await olderThan(first);
    take(page.deliveries, "older");
    state.olderKept = page.more;
    render();
  } catch (error) {
    byId("note").textContent = `Could not load older deliveries: ${error instanceof Error ? error.message : error}`;
  }
}

function onHello(hello: InspectorHello): void {
  state.hello = hello;
  const parts = [`Deliveries to ${hello.url}${hello.anyPath ? " (any path)" : ""}`, `${hello.secrets} secret(s)`];
  if (hello.forwardTo !== undefined) parts.push(`forwarding to ${hello.forwardTo}`);
  if (hello.status !== undefined) parts.push(`answering every delivery ${hello.status}`);
  byId("where").textContent = parts.join(" · ");
}

function onDelivery(d: DeliveryReport): void {
  if (take([d], "newer").length === 0) return;
  if (!state.pinned) state.selected = d.seq;
  render();
}

function connection(text: string, className: string): void {
  const conn = byId("conn");
  conn.textContent = text;
  conn.className = `conn ${className}`;
}

function connect(): void {
  const source = new EventSource("/inspector/events");
  source.addEventListener("open", () => connection("live", "live"));
  source.addEventListener("error", () => connection("reconnecting…", "down"));
  source.addEventListener("hello", (event) => onHello(JSON.parse((event as MessageEvent<string>).data)));
  source.addEventListener("delivery", (event) => onDelivery(JSON.parse((event as MessageEvent<string>).data)));
}

document.addEventListener("DOMContentLoaded", () => {
  byId("f-verdict").addEventListener("change", render);
  byId("f-type").addEventListener("change", render);
  render();
  connect();
});
