/**
 * NestJS module for ColiVara webhooks.
 *
 * @packageDocumentation
 */
export type {
  ColivaraWebhookOptions,
  MetadataSchema,
  Register,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
  WebhookErrorCode,
} from "@colivara/webhooks";
export { permanentFailure, WebhookVerificationError } from "@colivara/webhooks";
export {
  ColivaraDelivery,
  ColivaraEvent,
  type ColivaraEventType,
  ColivaraWebhook,
  type EventHandlerDecorator,
  type EventOfType,
  OnColivaraEvent,
} from "./decorators.js";
export { COLIVARA_WEBHOOKS_OPTIONS, ColivaraWebhooksModule } from "./module.js";
export type { ColivaraWebhooksModuleAsyncOptions, ColivaraWebhooksModuleOptions } from "./options.js";
