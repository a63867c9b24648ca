/**
 * Fastify plugin for ColiVara webhooks.
 *
 * @packageDocumentation
 */
import { colivaraWebhooks } from "./plugin.js";

export type { ColivaraEvent, VerifiedWebhook, WebhookErrorCode } from "@colivara/webhooks";
export { WebhookVerificationError } from "@colivara/webhooks";
export { type ColivaraWebhooksOptions, colivaraWebhooks } from "./plugin.js";

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
