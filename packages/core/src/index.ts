/**
 * Verify ColiVara webhook deliveries (Svix / Standard Webhooks) and get a typed event.
 *
 * @packageDocumentation
 */

export type { DedupeClaim, DedupeStore, MemoryStoreOptions } from "./dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, memoryStore } from "./dedupe.js";
export type { DeliveryWarning, DeliveryWarningKind, WebhookLogger } from "./delivery-log.js";
export type { DeliveryOutcome, DeliveryRecord } from "./delivery-record.js";
export type { MetadataIssue, WebhookErrorCode } from "./errors.js";
export { ERROR_STATUS, isWebhookVerificationError, WebhookVerificationError } from "./errors.js";
export type {
  ColivaraEvent,
  KnownEventType,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
} from "./events.js";
export type { FetchWebhookEndpoint, FetchWebhookHandler } from "./fetch-handler.js";
export { createWebhookHandler } from "./fetch-handler.js";
export type { DeadLetter, HandOff, HandOffContext } from "./hand-off.js";
export { isPermanentFailure, permanentFailure } from "./hand-off.js";
export type { HeaderInput } from "./headers.js";
export type { MetadataSchema } from "./metadata-check.js";
export type { ColivaraWebhookOptions, ErrorContext, EventHandler, WebhookHandlers } from "./options.js";
export { DEFAULT_PATH } from "./options.js";
export type { TrustProxyOption } from "./proxy-trust.js";
export type { Register, RegisteredMetadata } from "./register.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export type { DeliveryTelemetry, TelemetryAttempt } from "./telemetry.js";
export type { Verifier, VerifierOptions } from "./verifier.js";
export { createVerifier, DEFAULT_TOLERANCE_SECONDS } from "./verifier.js";
