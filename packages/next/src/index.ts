/**
 * Next.js route wrappers for ColiVara webhooks: App Router (Node.js and Edge runtimes) and
 * Pages Router API routes.
 *
 * @packageDocumentation
 */

export * from "./app-router.js";
export { withColivaraWebhookPages } from "./with-colivara-webhook-pages.js";
