// The selected delivery: its verdict and why, what to do with it, your app's answer, the
// headers and the body. Everything received is written as text.
import type { DeliveryReport } from "../src/delivery-report.js";
import { copyAsCurl, replay, saveFile } from "./actions.js";
import { byId, clear, el } from "./dom.js";
import { answeredBy, appText, CLAIMED, mark, pretty, secretText, skewText, statusClass } from "./format.js";
import { LABELS } from "./labels.js";
import { state } from "./state.js";

function field(dl: HTMLDListElement, name: string, value: string, className?: string): void {
  dl.append(el("dt", undefined, name), el("dd", className, value));
}

function section(parent: HTMLElement, title: string): HTMLElement {
  const box = el("section", "box");
  box.append(el("h3", undefined, title));
  parent.append(box);
  return box;
}

function verdictBox(detail: HTMLElement, d: DeliveryReport): void {
  const dl = el("dl", "facts");
  field(dl, "Verdict", `${mark(d.verdict)} ${d.verdict}`, `verdict ${d.verdict}`);
  if (d.error) {
    field(dl, "Code", d.error.code, "code");
    field(dl, "Reason", d.error.message);
  } else if (d.verdict === "duplicate") {
    field(dl, "Reason", 'already handled: acknowledged (200 {"duplicate":true}), not handled again');
  }
  field(dl, "Signed", d.signedAt ? `${d.signedAt} (${skewText(d)})` : skewText(d));
  if (d.type !== undefined) field(dl, "Type", d.verified ? d.type : `${d.type} (as claimed: ${CLAIMED})`, "type-fact");
  field(dl, "Secret", secretText(d, state.hello?.secrets ?? 0), "secret");
  field(dl, "Id", d.id ?? "(none)");
  // One duration per answer: the app's own time is in its box, the listener's only when it answered itself.
  field(dl, "Answered", `${d.status} by ${answeredBy(d)}${d.app ? "" : ` in ${d.durationMs} ms`}`, "answered");
  if (d.replayOf) field(dl, "Replay of", `#${d.replayOf.seq} (${d.replayOf.mode})`);
  section(detail, "Verdict").append(dl);
}

function button(className: string, text: string, act: () => void): HTMLButtonElement {
  const node = el("button", className, text);
  node.addEventListener("click", act);
  return node;
}

function actionButtons(detail: HTMLElement, d: DeliveryReport): void {
  const again = button("replay", LABELS.resign, () => void replay(d.seq, "resign"));
  again.dataset.mode = "resign";
  const same = button("replay", LABELS.asIs, () => void replay(d.seq, "as-is"));
  same.dataset.mode = "as-is";
  const box = el("div", "actions");
  box.append(
    again,
    same,
    button("copy-curl", LABELS.curl, () => void copyAsCurl(d)),
    button("save-file", LABELS.save, () => void saveFile(d)),
  );
  const copied = el("pre", "body copied");
  copied.id = "copied";
  copied.hidden = true;
  detail.append(box, copied);
}

function appBox(detail: HTMLElement, d: DeliveryReport): void {
  const box = section(detail, "Your app's answer");
  const dl = el("dl", "facts");
  field(dl, "Answer", appText(d), `app ${statusClass(d.app?.status)}`);
  if (d.app?.url) field(dl, "App", d.app.url);
  box.append(dl);
  if (d.app?.body) box.append(el("pre", "body app-body", pretty(d.app.body)));
  if (d.app?.bodyCut) box.append(el("p", "hint cut", "Cut: only the first 64 KiB of the app's answer is kept."));
  if (!d.app && d.answeredBy === "verifier") {
    box.append(el("p", "hint", "Start listen with --forward-to <your app's URL> to pass deliveries on."));
  }
  const appStatus = d.app?.status;
  if (d.verdict === "rejected" && appStatus !== undefined && appStatus >= 200 && appStatus < 300) {
    box.append(el("p", "alarm", "Your app accepted a delivery the verifier rejected."));
  }
}

function headersBox(detail: HTMLElement, d: DeliveryReport): void {
  const table = el("table", "headers");
  for (const [name, value] of d.headers) {
    const tr = el("tr");
    tr.append(el("th", undefined, name), el("td", undefined, value));
    table.append(tr);
  }
  section(detail, "Headers (signatures shortened)").append(table);
}

function bodyBox(detail: HTMLElement, d: DeliveryReport): void {
  const box = section(detail, "Body");
  if (d.bodyCut) {
    box.append(
      el(
        "p",
        "hint cut",
        `Cut: showing the first 64 KiB of ${d.bodyBytes} bytes (the history keeps its size bounded). Replay and the saved file use the whole body while the delivery is kept.`,
      ),
    );
  }
  // A cut body is not valid JSON: shown as it is.
  box.append(el("pre", "body delivery-body", d.bodyCut ? d.body : pretty(d.body)));
}

/** Draws the selected delivery, or what to do when none is. */
export function renderDetail(): void {
  const detail = byId("detail");
  clear(detail);
  const d = state.bySeq.get(state.selected);
  if (d === undefined) {
    detail.append(el("p", "empty", "Select a delivery to see its verdict, headers, body and your app's answer."));
    return;
  }
  const title = el("h2", undefined, `#${d.seq} ${d.type ?? "(no type)"}`);
  title.append(el("span", `badge ${d.verdict}`, `${mark(d.verdict)} ${d.verdict}`));
  detail.append(title, el("p", "where", `${d.method} ${d.path} at ${d.receivedAt} · ${d.bodyBytes} bytes`));
  actionButtons(detail, d);
  verdictBox(detail, d);
  appBox(detail, d);
  headersBox(detail, d);
  bodyBox(detail, d);
}
