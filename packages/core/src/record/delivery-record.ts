import type { WebhookErrorCode } from "../shared/errors.js";

/**
 * How one attempt ended, decided by the pipeline:
 * - `accepted`: the user's code ran and answered 2xx (or nothing: 204);
 * - `handed_off`: stored by `handOff` (202), a worker runs it;
 * - `duplicate`: a copy of a delivery already handled or stored (200);
 * - `in_progress`: the same delivery is being handled by another attempt (409);
 * - `rejected`: refused before any user code (a failure table code: forged, stale, too
 *   large, not POST, not HTTPS, misconfigured…);
 * - `declined`: the user's code answered neither 2xx nor 5xx (the sender retries);
 * - `handler_failed`: the user's code threw or answered 5xx (500; the sender retries);
 * - `store_unavailable`: the dedupe store or the hand-off queue was unreachable (503);
 * - `aborted`: the handler refused it for good with `permanentFailure()` (422).
 *
 * @example
 * ```ts
 * const worrying: DeliveryOutcome[] = ["handler_failed", "store_unavailable"];
 * ```
 */
export type DeliveryOutcome =
  | "accepted"
  | "handed_off"
  | "duplicate"
  | "in_progress"
  | "rejected"
  | "declined"
  | "handler_failed"
  | "store_unavailable"
  | "aborted";

/**
 * One attempt on the record: what every adapter writes to `log` and `telemetry`. It never
 * holds a secret, a signature or anything of an unverified body: `deliveryId` and
 * `eventType` appear only once the signature matched.
 *
 * @example
 * ```ts
 * const record: DeliveryRecord = {
 *   outcome: "rejected", code: "timestamp_too_old", status: 401, durationMs: 0.21,
 *   bodyBytes: 312, skewSeconds: 612, remoteAddress: "203.0.113.9",
 * };
 * ```
 */
export interface DeliveryRecord {
  outcome: DeliveryOutcome;
  /** The HTTP status answered. */
  status: number;
  /** The failure table's code, for every outcome that is not a 2xx. */
  code?: WebhookErrorCode | undefined;
  /** The `svix-id`, once its signature matched. */
  deliveryId?: string | undefined;
  /** The event type as sent (`upsert.success`, or a type added later), once verified and parsed. */
  eventType?: string | undefined;
  /** From the start of the attempt to its answer, in milliseconds. */
  durationMs?: number | undefined;
  /** Spent verifying (timestamp, HMAC, payload), in milliseconds, once the body was read. */
  verifyMs?: number | undefined;
  /** Spent in the user's code (handler, handler map, next middleware or hand-off), in milliseconds. */
  handlerMs?: number | undefined;
  /** Raw body size, once read. */
  bodyBytes?: number | undefined;
  /** Receiver clock minus the signed timestamp, in seconds: positive when signed in the past. */
  skewSeconds?: number | undefined;
  /**
   * Index of the configured secret that matched (`secret: [current, previous]`): once no
   * record shows `1` any more, the previous secret can be retired.
   */
  secretIndex?: number | undefined;
  /** The peer, as the framework reports it (its proxy settings applied). */
  remoteAddress?: string | undefined;
}

/** Rounds milliseconds to microseconds: enough for a log, and short to print. */
export function milliseconds(value: number): number {
  return Math.round(value * 1000) / 1000;
}
