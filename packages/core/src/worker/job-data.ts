import type { ColivaraEvent, VerifiedWebhook } from "../shared/events.js";

/**
 * What a queued job holds, whatever the queue: the verified delivery as JSON (the timestamp
 * as an ISO string) and, when OpenTelemetry was active, the request's W3C trace context.
 *
 * @example
 * ```ts
 * const data: ColivaraJobData = { id: "msg_2b…", timestamp: "2026-01-01T00:00:00.000Z", event };
 * ```
 */
export interface ColivaraJobData {
  id: string;
  timestamp: string;
  event: ColivaraEvent;
  traceContext?: Record<string, string> | undefined;
  /** Why an inline handler refused it for good: set on dead letters kept by `handOff.deadLetter` only. */
  refused?: string | undefined;
}

/**
 * The job data of a verified delivery, with the request's trace context when there is one.
 *
 * @example
 * ```ts
 * await queue.add(webhook.event.type, toJobData(webhook, context.traceContext));
 * ```
 */
export function toJobData(webhook: VerifiedWebhook, traceContext?: Record<string, string>): ColivaraJobData {
  const data: ColivaraJobData = { id: webhook.id, timestamp: webhook.timestamp.toISOString(), event: webhook.event };
  if (traceContext !== undefined) data.traceContext = traceContext;
  return data;
}

/**
 * The delivery a job carries, with `timestamp` a `Date` again, as the adapters give it.
 *
 * @example
 * ```ts
 * const webhook = fromJobData(job.data);
 * console.log(webhook.id, webhook.timestamp.toISOString());
 * ```
 */
export function fromJobData(data: ColivaraJobData): VerifiedWebhook {
  return { id: data.id, timestamp: new Date(data.timestamp), event: data.event };
}
