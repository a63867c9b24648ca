/**
 * Verify ColiVara webhook deliveries (Svix / Standard Webhooks) and get a typed event.
 *
 * @packageDocumentation
 */

export type { DedupeClaim, DedupeStore, MemoryStoreOptions } from "./dedupe/dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, memoryStore } from "./dedupe/dedupe.js";
export type { TrustProxyOption } from "./http/proxy-trust.js";
export type { FetchWebhookEndpoint, FetchWebhookHandler } from "./pipeline/fetch-handler.js";
export { createWebhookHandler } from "./pipeline/fetch-handler.js";
export type { DeadLetter, HandOff, HandOffContext } from "./pipeline/hand-off.js";
export { isPermanentFailure, permanentFailure } from "./pipeline/hand-off.js";
export type { ColivaraWebhookOptions, ErrorContext, EventHandler, WebhookHandlers } from "./pipeline/options.js";
export { DEFAULT_PATH } from "./pipeline/options.js";
export type { DeliveryWarning, DeliveryWarningKind, WebhookLogger } from "./record/delivery-log.js";
export type { DeliveryOutcome, DeliveryRecord } from "./record/delivery-record.js";
export type { DeliveryTelemetry, TelemetryAttempt } from "./record/telemetry.js";
export type { MetadataIssue, WebhookErrorCode } from "./shared/errors.js";
export { ERROR_STATUS, isWebhookVerificationError, WebhookVerificationError } from "./shared/errors.js";
export type {
  ColivaraEvent,
  KnownEventType,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
} from "./shared/events.js";
export type { Register, RegisteredMetadata } from "./shared/register.js";
export type { StandardSchemaV1 } from "./shared/standard-schema.js";
export type { HeaderInput } from "./verify/headers.js";
export type { MetadataSchema } from "./verify/metadata-check.js";
export type { Verifier, VerifierOptions } from "./verify/verifier.js";
export { createVerifier, DEFAULT_TOLERANCE_SECONDS } from "./verify/verifier.js";
