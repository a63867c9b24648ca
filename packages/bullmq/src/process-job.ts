import type { WebhookHandlers } from "@colivara/webhooks";
import { type DedupeStore, isPermanentFailure, type VerifiedWebhook } from "@colivara/webhooks";
import { dedupeKey, isInvalidMetadata, type MetadataCheck, markHandled } from "@colivara/webhooks/adapter";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { type ColivaraJobData, fromJobData } from "./job-data.js";
import { inWorkerSpan, loadOpenTelemetry } from "./trace.js";

/** What the worker returns for a job; BullMQ stores it as the job's return value. */
export type JobOutcome = "handled" | "already_handled";

export interface ProcessSettings {
  on: WebhookHandlers<unknown>;
  /** The `metadata` schema: the job's metadata as sent, checked and typed before the handler. */
  metadata: MetadataCheck;
  attempts: number;
  dedupe: DedupeStore | undefined;
  /** How long a job waits when another run holds the delivery's claim. */
  inFlightDelayMs: number;
  report(error: unknown, webhook: VerifiedWebhook): void;
}

type AnyHandler = (event: unknown, webhook: VerifiedWebhook) => unknown;

async function dispatch(settings: ProcessSettings, webhook: VerifiedWebhook): Promise<void> {
  const handler = settings.on[webhook.event.type] as AnyHandler | undefined;
  if (handler === undefined) return;
  const typed = await settings.metadata(webhook);
  await handler(typed.event, typed);
}

/**
 * A permanent failure, or the last attempt, becomes BullMQ's UnrecoverableError: the job
 * goes to the failed list (the dead letters) with no further retry.
 */
function finalError(error: unknown, job: Job<ColivaraJobData>, attempts: number): unknown {
  if (isPermanentFailure(error)) return new UnrecoverableError(`permanent_failure: ${error.message}`);
  // A retry cannot change a stored document's metadata. The mismatch itself (its code and
  // issues) rides along as the cause: onError gets it, as an adapter's onError does.
  if (isInvalidMetadata(error)) {
    const unrecoverable = new UnrecoverableError(`invalid_metadata: ${error.message}`);
    unrecoverable.cause = error;
    return unrecoverable;
  }
  if (job.attemptsMade + 1 >= attempts) {
    const message = error instanceof Error ? error.message : String(error);
    return new UnrecoverableError(`failed after ${attempts} attempts: ${message}`);
  }
  return error;
}

async function runOnce(
  settings: ProcessSettings,
  job: Job<ColivaraJobData>,
  token: string | undefined,
): Promise<JobOutcome> {
  const webhook = fromJobData(job.data);
  const { dedupe } = settings;
  // Stores are keyed as the adapters key them: bounded, whatever the id's length.
  const key = dedupe ? await dedupeKey(webhook.id) : webhook.id;
  const claim = dedupe ? await dedupe.claim(key) : undefined;
  if (claim?.status === "done") return "already_handled";
  if (claim?.status === "in_flight") {
    // Another run (a stalled worker still alive, or one that died and whose lease has
    // not run out) holds the delivery: wait without spending an attempt.
    await job.moveToDelayed(Date.now() + settings.inFlightDelayMs, token);
    throw new DelayedError();
  }
  try {
    await dispatch(settings, webhook);
  } catch (error) {
    // Released on every failure, permanent ones too, so a replay runs the handler again.
    if (dedupe && claim?.token) await dedupe.release(key, claim.token).catch((e) => settings.report(e, webhook));
    throw finalError(error, job, settings.attempts);
  }
  if (dedupe && claim?.token) {
    // The handler's work is done: failing the job now would run it a second time.
    // Retried through a Redis restart or failover; past its bound, reported with the delivery id.
    await markHandled({ store: dedupe, key, token: claim.token, id: webhook.id })?.catch((error) =>
      settings.report(error, webhook),
    );
  }
  return "handled";
}

/** The BullMQ processor: the job's delivery through the handler map, once, in a linked span. */
export function createProcessor(settings: ProcessSettings) {
  const otel = loadOpenTelemetry();
  return async (job: Job<ColivaraJobData>, token?: string): Promise<JobOutcome> => {
    const api = await otel;
    if (api === undefined) return runOnce(settings, job, token);
    return inWorkerSpan(api, job.data, () => runOnce(settings, job, token));
  };
}
