/**
 * Express middleware for ColiVara webhooks.
 *
 * @packageDocumentation
 */
export type {
  ColivaraEvent,
  ColivaraWebhookOptions,
  MetadataSchema,
  Register,
  VerifiedWebhook,
  WebhookErrorCode,
} from "@colivara/webhooks";
export { permanentFailure, WebhookVerificationError } from "@colivara/webhooks";
export { colivaraErrorHandler, verifyColivara } from "./verify-colivara.js";
