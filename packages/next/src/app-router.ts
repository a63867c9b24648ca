// What the main and the Edge entries both export: everything but the Pages Router wrapper.
export { permanentFailure, WebhookVerificationError } from "@colivara/webhooks";
export type {
  ColivaraEvent,
  ColivaraWebhookOptions,
  ErrorContext,
  MetadataSchema,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
  WebhookErrorCode,
  WebhookHandlers,
} from "./types.js";
export {
  type AppRouteHandler,
  type AppRouteWebhookHandler,
  type ColivaraWebhookHandlerMapOptions,
  type ColivaraWebhookHandlerOptions,
  withColivaraWebhook,
} from "./with-colivara-webhook.js";
export type { PagesApiHandler, PagesWebhookHandler } from "./with-colivara-webhook-pages.js";
