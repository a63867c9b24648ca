// The types every part of the listener shares. The server files import in one direction:
// listen.ts → inspector-routes.ts → replay.ts → this file (and delivery-log.ts), never back.
import type { VerifiedWebhook } from "@colivara/webhooks";
import type { DeliveryLog, RawDelivery } from "./delivery-log.js";
import type { DeliveryReport } from "./delivery-report.js";
import type { secretMatcher } from "./secret-match.js";

/**
 * Options of `startListener`.
 *
 * @example
 * ```ts
 * const options: ListenOptions = { port: 3000, secret: [process.env.COLIVARA_WEBHOOK_SECRET!], onDelivery: console.log };
 * ```
 */
export interface ListenOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Only this path receives deliveries; others answer 404. Default: any path. */
  path?: string | undefined;
  /** The endpoint's secrets (any may match, as during a rotation); the first signs replays. */
  secret: readonly string[];
  /** Pass every delivery's exact bytes and headers on to this app, and answer with its answer. */
  forwardTo?: URL | undefined;
  /** Answer every delivery with this status instead (to watch the sender retry). */
  status?: number | undefined;
  /** Seconds to wait for the app. Default 15, as Svix. */
  forwardTimeoutSeconds?: number | undefined;
  /** Called once per request, after it was answered; `raw` is what arrived (full signatures included). */
  onDelivery: (report: DeliveryReport, raw: RawDelivery) => void;
}

/** An answer the listener writes. */
export interface Answer {
  status: number;
  contentType: string | undefined;
  body: string | Uint8Array;
}

/** What the listener needs to handle one request. */
export interface ListenerContext {
  options: ListenOptions;
  log: DeliveryLog;
  origin: string;
  /** The core's answer to a delivery, and the verified webhook when it was accepted. */
  verify(received: RawDelivery & { method: string }): Promise<{ answer: Answer; webhook?: VerifiedWebhook }>;
  whichSecret: ReturnType<typeof secretMatcher>;
}
