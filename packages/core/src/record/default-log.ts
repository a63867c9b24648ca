import { escapeText } from "../shared/escape-text.js";
import type { ErrorContext } from "../shared/events.js";
import { type DeliverySink, rejection } from "./delivery-log.js";
import type { DeliveryRecord } from "./delivery-record.js";
import { pacedLines } from "./paced-lines.js";

/** How the default log is paced; the defaults suit production, tests shrink them. */
export interface DefaultLogSettings {
  /** Writes one line. Default: `console.warn` (stderr). */
  write?: ((line: string) => void) | undefined;
  /** Milliseconds clock. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Lines printed per window before the rest are only counted. Default 10. */
  lines?: number | undefined;
  /** The window, in milliseconds. Default 60,000. */
  windowMs?: number | undefined;
}

const PREFIX = "[colivara-webhooks]";
/** Lines the default log prints per window before it only counts. */
export const DEFAULT_LOG_LINES = 10;
/** The default log's window, in milliseconds. */
export const DEFAULT_LOG_WINDOW_MS = 60_000;

function lineOf(record: DeliveryRecord, error: unknown): string {
  const from = record.remoteAddress ? ` from ${record.remoteAddress}` : "";
  const id = record.deliveryId ? ` ${record.deliveryId}` : "";
  return `${PREFIX} ${record.status} ${record.code}${id}${from}: ${rejection(record, error)}`;
}

/**
 * Without a `log` option: one line per refused attempt on stderr (4xx: forged, stale, too
 * large, schema mismatch…) and per warning, each paced with its own kind so that none hides
 * another. Refusals of unverified requests (anyone can send them), refusals of verified
 * deliveries, and slow-handler warnings each print at most `lines` per window, then one
 * summary line of what was not shown, by code. The clock-drift and signature-burst warnings
 * are never paced: the warnings themselves come at most once a minute each. So a flood of
 * forged requests cannot flood the log, nor hide a warning or a genuine delivery's refusal.
 * Accepted deliveries print nothing; 5xx failures are `onError`'s (which prints the stack).
 *
 * @example
 * ```ts
 * const sink = defaultSink({ write: (line) => lines.push(line), now: () => clock });
 * ```
 */
export function defaultSink(settings: DefaultLogSettings = {}): DeliverySink {
  const windowMs = settings.windowMs ?? DEFAULT_LOG_WINDOW_MS;
  const write = settings.write ?? ((line: string) => console.warn(line));
  const paced = (what: string) =>
    pacedLines({
      write,
      now: settings.now ?? Date.now,
      perWindow: settings.lines ?? DEFAULT_LOG_LINES,
      windowMs,
      summary: (total, counts) =>
        `${PREFIX} ${total} more ${what} in the last ${windowMs / 1000} s not shown: ${counts}. Pass a logger as the log option to record every attempt.`,
    });
  const unverified = paced("refusals of unverified requests");
  // The id is on the record once the signature matched: a genuine delivery (or a leaked secret).
  const verified = paced("refusals of signed deliveries");
  const slow = paced("warnings");

  const wants = (outcome: string, status: number) => outcome === "rejected" && status < 500;
  return {
    wants,
    record(record, error) {
      if (!wants(record.outcome, record.status)) return;
      const pace = record.deliveryId === undefined ? unverified : verified;
      pace(record.code ?? "rejected", () => lineOf(record, error));
    },
    warn(warning) {
      const line = () => `${PREFIX} warning ${warning.kind}: ${warning.message}`;
      if (warning.kind === "slow_handler") slow(warning.kind, line);
      else write(line());
    },
  };
}

/**
 * The default `onError`: the whole error, stack and `cause` included, with the delivery id
 * (escaped: the sender chose it; the pack's own messages are escaped where they are built).
 *
 * @example
 * ```ts
 * defaultOnError(new Error("database down"), { webhook }); // [colivara-webhooks] webhook failure (delivery msg_…): Error: …
 * ```
 */
export function defaultOnError(error: unknown, context: ErrorContext): void {
  const where = context.webhook ? ` (delivery ${escapeText(context.webhook.id)})` : "";
  console.error(`[colivara-webhooks] webhook failure${where}:`, error);
}
