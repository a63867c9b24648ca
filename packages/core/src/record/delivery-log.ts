import { isWebhookVerificationError } from "../shared/errors.js";
import type { DeliveryOutcome, DeliveryRecord } from "./delivery-record.js";

/**
 * A pino-compatible logger: pino, or anything with the same `info`/`warn`/`error(fields,
 * message)` methods (bunyan-style loggers, a console wrapper). `child` is used once, when
 * present, to bind `{ component: "colivara-webhooks" }`.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * app.use("/webhooks/colivara", verifyColivara({ log: pino() }));
 * ```
 */
export interface WebhookLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child?(bindings: Record<string, string>): WebhookLogger;
}

/** What a warning is about: each kind says what is going wrong before it does damage. */
export type DeliveryWarningKind = "slow_handler" | "clock_drift" | "invalid_signature_burst";

/**
 * A warning the recorder raises on its own, beside the records.
 *
 * @example
 * ```ts
 * const warning: DeliveryWarning = { kind: "clock_drift", message: "…", fields: { skewSeconds: 170 } };
 * ```
 */
export interface DeliveryWarning {
  kind: DeliveryWarningKind;
  message: string;
  fields: Record<string, unknown>;
}

/** Where the recorder writes: one call per attempt, one per warning. */
export interface DeliverySink {
  /** False when the sink ignores such an attempt: its record is then not even built. */
  wants(outcome: DeliveryOutcome, status: number): boolean;
  record(record: DeliveryRecord, error: unknown): void;
  warn(warning: DeliveryWarning): void;
}

const SCHEMA_MISMATCH =
  "Svix retries it, and if it keeps failing it disables the endpoint: update @colivara/webhooks, or handle the new shape.";

/** True for a validly signed delivery whose body failed the schema (the signature matched). */
export function isSchemaMismatch(record: DeliveryRecord): boolean {
  return record.code === "invalid_payload" && record.deliveryId !== undefined;
}

/** The one-line summary of a record, for any sink. */
export function describeRecord(record: DeliveryRecord, error: unknown): string {
  const detail = isWebhookVerificationError(error) && record.code !== "invalid_config" ? error.message : undefined;
  switch (record.outcome) {
    case "accepted":
      return "webhook accepted";
    case "handed_off":
      return "webhook handed off to the queue";
    case "duplicate":
      return "webhook duplicate: already handled, not run again";
    case "in_progress":
      return "webhook in progress in another attempt: answered 409, the sender retries later";
    case "declined":
      return `webhook declined: the route answered ${record.status}; the sender retries`;
    case "aborted":
      return `webhook refused for good (${record.code === "invalid_metadata" ? "metadata schema" : "permanentFailure"}): ${detail ?? "kept as a dead letter"}`;
    case "handler_failed":
      return "webhook handler failed: answered 500, the sender retries";
    case "store_unavailable":
      return `webhook store unavailable: answered 503, the sender retries${detail ? `. ${detail}` : ""}`;
    default:
      return `${isSchemaMismatch(record) ? "signed webhook rejected" : "webhook rejected"}: ${rejection(record, error)}`;
  }
}

/** Why a request was rejected, in words that never hold secret material. */
export function rejection(record: DeliveryRecord, error: unknown): string {
  if (record.code === "invalid_config") return "the endpoint is misconfigured (see the error)";
  const detail = isWebhookVerificationError(error) ? error.message : String(record.code);
  return isSchemaMismatch(record) ? `${detail} ${SCHEMA_MISMATCH}` : detail;
}

type Level = "info" | "warn" | "error";

function levelOf(record: DeliveryRecord): Level {
  if (record.status >= 500 || isSchemaMismatch(record)) return "error";
  if (record.status < 300) return "info";
  return "warn";
}

/**
 * The sink for a user's logger: every attempt, accepted ones at info, refusals at warn,
 * failures and signed deliveries failing the schema at error (with the error as `err`,
 * which pino serialises with its stack and cause).
 */
export function loggerSink(logger: WebhookLogger): DeliverySink {
  const log = typeof logger.child === "function" ? logger.child({ component: "colivara-webhooks" }) : logger;
  return {
    wants: () => true,
    record(record, error) {
      const level = levelOf(record);
      const fields = level === "error" && error !== undefined ? { ...record, err: error } : record;
      log[level](fields, describeRecord(record, error));
    },
    warn(warning) {
      log.warn({ warning: warning.kind, ...warning.fields }, warning.message);
    },
  };
}
