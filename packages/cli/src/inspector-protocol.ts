// What the listener and the inspector page say to each other: types only, imported by the
// server routes (Node) and the page's modules (browser).
import type { DeliveryReport, ReplayMode } from "./delivery-report.js";

/** The event stream's first event: where deliveries go and what the history holds. */
export interface InspectorHello {
  /** `http://127.0.0.1:<port>`: where a copied curl command sends a delivery again. */
  origin: string;
  /** Where deliveries are received. */
  url: string;
  /** True when any path is a delivery path (no `--path`). */
  anyPath: boolean;
  /** How many secrets verify deliveries. */
  secrets: number;
  /** How many deliveries the history keeps now, and the oldest one's seq. */
  kept: number;
  oldest?: number | undefined;
  forwardTo?: string | undefined;
  status?: number | undefined;
}

/** `GET /inspector/history?before=<seq>`: the page before a delivery, oldest first. */
export interface HistoryPage {
  deliveries: DeliveryReport[];
  /** True when older deliveries are still kept. */
  more: boolean;
}

/** `POST /inspector/replay`'s body (sent with the `x-colivara-inspector: replay` header). */
export interface ReplayRequest {
  seq: number;
  mode: ReplayMode;
}

/** What a replay came to: the answer, and the copy's own seq, verdict and code when recorded. */
export interface ReplayAnswer {
  status: number;
  seq?: number | undefined;
  verdict?: DeliveryReport["verdict"] | undefined;
  code?: string | undefined;
  durationMs?: number | undefined;
}

/** An error answer of the inspector's API. */
export interface InspectorError {
  error: string;
}

/** `GET /inspector/delivery/<seq>`: a file `verify` reads (full signatures, no credentials). */
export interface SavedDelivery {
  headers: Record<string, string>;
  body: string;
}
