// What the page does with a delivery: replay it through the listener, copy it out as a curl
// command or a file `verify` reads. Each says in the status line what came of it.
import type { DeliveryReport, ReplayMode } from "../src/delivery-report.js";
import type { ReplayAnswer, SavedDelivery } from "../src/inspector-protocol.js";
import * as api from "./api.js";
import { byId } from "./dom.js";
import { state } from "./state.js";

function note(text: string): void {
  byId("note").textContent = text;
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a replay came to, against what it should: a copy as it was must be refused. */
export function replayText(seq: number, mode: ReplayMode, result: ReplayAnswer): string {
  const copy = result.seq === undefined ? "" : ` (#${result.seq})`;
  const head = `Replay of #${seq}${mode === "as-is" ? " as it was" : " re-signed"}${copy}: `;
  const code = result.code === undefined ? "" : ` (${result.code})`;
  if (mode === "as-is") {
    if (result.verdict === "duplicate") return `${head}refused as duplicate, as expected`;
    if (result.verdict === "rejected") return `${head}refused${code}, as expected`;
    if (result.verdict === "accepted") return `${head}accepted, but a copy must be refused: it was handled twice`;
  } else {
    if (result.verdict === "accepted") return `${head}accepted, as expected`;
    if (result.verdict !== undefined) return `${head}${result.verdict}${code}`;
  }
  return `${head}answered ${result.status}`;
}

/** Sends delivery `seq` again through the listener, re-signed or as it was. */
export async function replay(seq: number, mode: ReplayMode): Promise<void> {
  note(`Replaying #${seq}…`);
  try {
    note(replayText(seq, mode, await api.replay({ seq, mode })));
  } catch (error) {
    note(`Replay failed: ${failure(error)}`);
  }
}

/** A string as one shell word: single quotes, each inner quote closed, escaped and reopened. */
function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A curl command that sends this exact delivery (full signature, no credentials) to the listener again. */
export function curlOf(d: DeliveryReport, saved: SavedDelivery): string {
  const lines = [`curl -X POST ${shellWord(`${state.hello?.origin ?? ""}${d.path}`)}`];
  for (const [name, value] of Object.entries(saved.headers)) lines.push(`  -H ${shellWord(`${name}: ${value}`)}`);
  lines.push(`  --data-binary ${shellWord(saved.body)}`);
  return lines.join(" \\\n");
}

/** Shows the curl command under the buttons and copies it when the browser allows. */
export async function copyAsCurl(d: DeliveryReport): Promise<void> {
  try {
    const text = curlOf(d, await api.savedDelivery(d.seq));
    const shown = byId("copied");
    shown.hidden = false;
    shown.textContent = text;
    note(`curl command for #${d.seq} below (full signature: it sends this exact delivery again)`);
    await navigator.clipboard?.writeText(text);
    note(`Copied the curl command for #${d.seq} (also shown below)`);
  } catch (error) {
    if (byId("copied").hidden) note(`Copy failed: ${failure(error)}`);
  }
}

/** Downloads `delivery-<seq>.json`, which `colivara-webhooks verify` reads. */
export async function saveFile(d: DeliveryReport): Promise<void> {
  try {
    const saved = await api.savedDelivery(d.seq);
    const blob = new Blob([`${JSON.stringify(saved, null, 2)}\n`], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `delivery-${d.seq}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked once the download has started, not before.
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    note(`Saved delivery-${d.seq}.json: check it with colivara-webhooks verify delivery-${d.seq}.json`);
  } catch (error) {
    note(`Save failed: ${failure(error)}`);
  }
}
