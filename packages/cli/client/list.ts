// The list of deliveries, newest first: one row each, saying why a rejected one was rejected.
import type { DeliveryReport } from "../src/delivery-report.js";
import { byId, clear, el } from "./dom.js";
import { CLAIMED, clock, mark, statusClass } from "./format.js";
import { LABELS } from "./labels.js";
import { hasOlder, state, typeKey } from "./state.js";

/** What a row does when it is picked, and how older deliveries are asked for. */
export interface ListActions {
  select(seq: number): void;
  loadOlder(): void;
}

function visible(d: DeliveryReport): boolean {
  const verdict = byId<HTMLSelectElement>("f-verdict").value;
  const type = byId<HTMLSelectElement>("f-type").value;
  return (verdict === "all" || d.verdict === verdict) && (type === "all" || typeKey(d) === type);
}

function row(d: DeliveryReport, actions: ListActions): HTMLLIElement {
  const li = el("li", `row ${d.verdict}${d.seq === state.selected ? " selected" : ""}`);
  li.dataset.seq = String(d.seq);
  li.dataset.verdict = d.verdict;
  if (d.id !== undefined) li.dataset.id = d.id;
  li.tabIndex = 0;
  li.append(
    el("span", "seq", `#${d.seq}`),
    el("span", "time", clock(d.receivedAt)),
    el("span", `badge ${d.verdict}`, `${mark(d.verdict)} ${d.verdict}`),
    el("span", `status ${statusClass(d.status)}`, d.status),
  );
  // The reason before the type: eight rejected rows must not look the same.
  if (d.error) li.append(el("span", "reason", d.error.code));
  li.append(el("span", "type", d.type ?? "(no type)"));
  if (d.verdict === "rejected" && d.type !== undefined) {
    const claimed = el("span", "tag claimed", "type as claimed");
    claimed.title = CLAIMED;
    li.append(claimed);
  }
  if (d.replayOf) li.append(el("span", "tag", `replay of #${d.replayOf.seq}`));
  li.addEventListener("click", () => actions.select(d.seq));
  li.addEventListener("keydown", (event) => {
    if (event.key === "Enter") actions.select(d.seq);
  });
  return li;
}

/** Draws the list and the count, with a button for older deliveries when the listener keeps some. */
export function renderList(actions: ListActions): void {
  const list = byId("list");
  clear(list);
  const shown = state.list.filter(visible);
  for (const d of [...shown].reverse()) list.append(row(d, actions));
  byId("count").textContent = `${shown.length} of ${state.list.length} deliveries`;
  if (state.list.length === 0) list.append(el("li", "empty", "Waiting for deliveries…"));
  if (hasOlder()) {
    const more = el("li", "more");
    const button = el("button", "older", LABELS.older);
    button.addEventListener("click", () => actions.loadOlder());
    more.append(button);
    list.append(more);
  }
}

/** Adds the event types seen to the type filter (once each). */
export function renderTypes(): void {
  const select = byId<HTMLSelectElement>("f-type");
  const present = new Set(Array.from(select.options, (option) => option.value));
  for (const type of state.types) {
    if (present.has(type)) continue;
    const option = el("option", undefined, type);
    option.value = type;
    select.append(option);
  }
}
