// The listener's inspector API, typed by the shapes the server writes.
import type {
  HistoryPage,
  InspectorError,
  ReplayAnswer,
  ReplayRequest,
  SavedDelivery,
} from "../src/inspector-protocol.js";

async function json<T>(response: Response): Promise<T> {
  const value = (await response.json()) as T | InspectorError;
  if (!response.ok || (value !== null && typeof value === "object" && "error" in value)) {
    throw new Error((value as InspectorError).error ?? `the listener answered ${response.status}`);
  }
  return value as T;
}

/** The page of deliveries before `seq`. */
export async function olderThan(seq: number): Promise<HistoryPage> {
  return json<HistoryPage>(await fetch(`/inspector/history?before=${seq}`));
}

/** Replays a delivery through the listener; the custom header is what a cross-site page cannot send. */
export async function replay(request: ReplayRequest): Promise<ReplayAnswer> {
  const response = await fetch("/inspector/replay", {
    method: "POST",
    headers: { "content-type": "application/json", "x-colivara-inspector": "replay" },
    body: JSON.stringify(request),
  });
  return json<ReplayAnswer>(response);
}

/** A kept delivery as a file `verify` reads. */
export async function savedDelivery(seq: number): Promise<SavedDelivery> {
  return json<SavedDelivery>(await fetch(`/inspector/delivery/${seq}`));
}
