/**
 * Hono middleware for ColiVara webhooks.
 *
 * @packageDocumentation
 */
export type {
  ColivaraEvent,
  ColivaraWebhookOptions,
  MetadataSchema,
  VerifiedWebhook,
  WebhookErrorCode,
} from "@colivara/webhooks";
export { permanentFailure, WebhookVerificationError } from "@colivara/webhooks";
export { type ColivaraEnv, colivaraWebhook } from "./colivara-webhook.js";
