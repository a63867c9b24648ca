// The shapes the listener reports and the inspector page renders: types only, shared by the
// server (Node) and the page's modules (browser), so neither can drift from the other.
import type { ColivaraEvent } from "@colivara/webhooks";

/**
 * What the forwarded app answered, or why it did not.
 *
 * @example
 * ```ts
 * if (answer.error === undefined) console.log(answer.status, answer.durationMs);
 * ```
 */
export interface AppAnswer {
  /** The app's URL. */
  url: string;
  status?: number | undefined;
  contentType?: string | undefined;
  /** The app's answer as text: its first 64 KiB when `bodyCut`. */
  body?: string | undefined;
  /** True when the app answered more than 64 KiB, of which `body` is the start. */
  bodyCut?: boolean | undefined;
  /** Milliseconds from sending to the end of the answer. */
  durationMs: number;
  /** Why there is no answer (unreachable, timeout). */
  error?: string | undefined;
}

/**
 * How the inspector replays a delivery: `resign` signs its body again with the first
 * secret, a new id and a fresh timestamp (it is accepted); `as-is` sends the same bytes and
 * headers again (a duplicate or stale copy, which must be refused).
 */
export type ReplayMode = "resign" | "as-is";

/**
 * One request the listener received, verified or not.
 *
 * @example
 * ```ts
 * const onDelivery = (report: DeliveryReport) => console.log(report.status, report.verdict, report.type);
 * ```
 */
export interface DeliveryReport {
  /** 1, 2, 3… in the order received during this session. */
  seq: number;
  /** When it arrived (ISO 8601). */
  receivedAt: string;
  method: string;
  path: string;
  /** The status the listener answered the sender with. */
  status: number;
  /** True when the signature, timestamp and payload checked out and the event was handled. */
  verified: boolean;
  /** True for a delivery already handled (same `svix-id`): acknowledged, not handled again. */
  duplicate: boolean;
  /** The verifier's verdict. */
  verdict: "accepted" | "rejected" | "duplicate";
  /** Who chose the answer: the verifier, the forwarded app, or `--status`. */
  answeredBy: "verifier" | "app" | "status";
  /** The `svix-id` (or `webhook-id`) header, when present. */
  id?: string | undefined;
  /** The event type: verified, or as the body claims it when not verified. */
  type?: string | undefined;
  /** The signed timestamp (ISO 8601), when the header holds one. */
  signedAt?: string | undefined;
  /** Seconds between the signed timestamp and arrival: positive when signed in the past. */
  skewSeconds?: number | undefined;
  /** Which configured secret (0-based, in the order given) signed it, when one did. */
  secretIndex?: number | undefined;
  event?: ColivaraEvent | undefined;
  /** Why it was rejected: the failure table's code and message. */
  error?: { code: string; message: string } | undefined;
  /** The headers received, signatures shortened and credentials hidden. */
  headers: Array<[string, string]>;
  /** The body as text: its first 64 KiB when `bodyCut`. */
  body: string;
  /** The size of the body received, in bytes. */
  bodyBytes: number;
  /** True when `body` is only the first 64 KiB of a larger body (the history is bounded in bytes). */
  bodyCut: boolean;
  /** The forwarded app's answer (`--forward-to`). */
  app?: AppAnswer | undefined;
  /** Milliseconds from arrival to the answer. */
  durationMs: number;
  /** Set when the inspector sent it as a replay of delivery `seq`. */
  replayOf?: { seq: number; mode: ReplayMode } | undefined;
}
