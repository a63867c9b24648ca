/**
 * Fastify plugin for ColiVara webhooks.
 *
 * @packageDocumentation
 */
import { colivaraWebhooks } from "./plugin.js";

export type {
  ColivaraEvent,
  ColivaraWebhookOptions,
  MetadataSchema,
  Register,
  VerifiedWebhook,
  WebhookErrorCode,
} from "@colivara/webhooks";
export { permanentFailure, WebhookVerificationError } from "@colivara/webhooks";
export { colivaraWebhooks } from "./plugin.js";

/**
 * The plugin: `await app.register(colivaraWebhooks, options)`, then opt routes in with
 * `{ config: { colivara: true } }`. Same as the named export `colivaraWebhooks`.
 *
 * @example
 * ```ts
 * import colivaraWebhooks from "@colivara/webhooks-fastify";
 *
 * await app.register(colivaraWebhooks, { on: { "upsert.success": (event) => markReady(event.id) }, path: "/webhooks/colivara" });
 * ```
 */
export default colivaraWebhooks;
