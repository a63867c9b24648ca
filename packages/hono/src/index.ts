/**
 * Hono middleware for ColiVara webhooks.
 *
 * @packageDocumentation
 */
export type { ColivaraEvent, VerifiedWebhook, WebhookErrorCode } from "@colivara/webhooks";
export { WebhookVerificationError } from "@colivara/webhooks";
export { type ColivaraEnv, type ColivaraWebhookOptions, colivaraWebhook } from "./colivara-webhook.js";
