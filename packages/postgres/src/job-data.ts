import type { ColivaraEvent, VerifiedWebhook } from "@colivara/webhooks";

/**
 * What a pg-boss job of a delivery holds: the verified delivery as JSON (the timestamp as
 * an ISO string) and the request's W3C trace context when one was active.
 *
 * @example
 * ```ts
 * const data: PgBossJobData = { id: "msg_2b…", timestamp: "2026-01-01T00:00:00.000Z", event };
 * ```
 */
export interface PgBossJobData {
  id: string;
  timestamp: string;
  event: ColivaraEvent;
  traceContext?: Record<string, string> | undefined;
  /** Why an inline handler refused it for good: set on dead letters kept by `handOff.deadLetter` only. */
  refused?: string | undefined;
}

/** The job data of a verified delivery. */
export function toJobData(webhook: VerifiedWebhook, traceContext?: Record<string, string>): PgBossJobData {
  const data: PgBossJobData = { id: webhook.id, timestamp: webhook.timestamp.toISOString(), event: webhook.event };
  if (traceContext !== undefined) data.traceContext = traceContext;
  return data;
}

/** The delivery a job carries, with `timestamp` a `Date` again, as the adapters give it. */
export function fromJobData(data: PgBossJobData): VerifiedWebhook {
  return { id: data.id, timestamp: new Date(data.timestamp), event: data.event };
}
