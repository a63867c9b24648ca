/**
 * Next.js route wrappers for ColiVara webhooks: App Router (Node.js and Edge runtimes) and
 * Pages Router API routes.
 *
 * @packageDocumentation
 */

export { WebhookVerificationError } from "@colivara/webhooks";
export type {
  ColivaraEvent,
  ErrorContext,
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
  type ColivaraWebhookOptions,
  withColivaraWebhook,
} from "./with-colivara-webhook.js";
export {
  type PagesApiHandler,
  type PagesWebhookHandler,
  withColivaraWebhookPages,
} from "./with-colivara-webhook-pages.js";
