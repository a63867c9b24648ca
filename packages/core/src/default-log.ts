import { type DeliverySink, rejection } from "./delivery-log.js";
import type { DeliveryRecord } from "./delivery-record.js";
import { escapeText } from "./escape-text.js";
import type { ErrorContext } from "./options.js";
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
 * large, schema mismatch…) and per warning. Refusals of unverified requests, which anyone can
 * send, are paced: at most `lines` per window, then one summary line of what was not shown,
 * by code, so a flood of forged requests cannot flood the log. Warnings and the refusals of
 * verified deliveries are always written and never counted with the forged ones: warnings are
 * rare by construction (drift and signature bursts at most once a minute each, a slow handler
 * once per verified delivery), and a verified delivery needs the secret. Accepted deliveries
 * print nothing; 5xx failures are `onError`'s (which prints them with the stack).
 *
 * @example
 * ```ts
 * const sink = defaultSink({ write: (line) => lines.push(line), now: () => clock });
 * ```
 */
export function defaultSink(settings: DefaultLogSettings = {}): DeliverySink {
  const windowMs = settings.windowMs ?? DEFAULT_LOG_WINDOW_MS;
  const write = settings.write ?? ((line: string) => console.warn(line));
  const unverified = pacedLines({
    write,
    now: settings.now ?? Date.now,
    perWindow: settings.lines ?? DEFAULT_LOG_LINES,
    windowMs,
    summary: (total, counts) =>
      `${PREFIX} ${total} more refusals of unverified requests in the last ${windowMs / 1000} s not shown: ${counts}. Pass a logger as the log option to record every attempt.`,
  });

  const wants = (outcome: string, status: number) => outcome === "rejected" && status < 500;
  return {
    wants,
    record(record, error) {
      if (!wants(record.outcome, record.status)) return;
      // The id is on the record once the signature matched: a genuine delivery, never paced.
      if (record.deliveryId !== undefined) write(lineOf(record, error));
      else unverified(record.code ?? "rejected", () => lineOf(record, error));
    },
    warn(warning) {
      write(`${PREFIX} warning ${warning.kind}: ${warning.message}`);
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
