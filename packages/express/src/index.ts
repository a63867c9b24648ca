/**
 * Express middleware for ColiVara webhooks.
 *
 * @packageDocumentation
 */
export type { ColivaraEvent, VerifiedWebhook, WebhookErrorCode } from "@colivara/webhooks";
export { WebhookVerificationError } from "@colivara/webhooks";
export { type VerifyColivaraOptions, verifyColivara } from "./verify-colivara.js";
