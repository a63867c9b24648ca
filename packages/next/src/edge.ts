/**
 * The entry Next's Edge bundler picks (the "edge-light" export condition): the App Router
 * wrapper without the Pages Router code, which needs Node.js streams. Same API and types
 * as the main entry.
 *
 * @packageDocumentation
 */
import { WebhookVerificationError } from "@colivara/webhooks";
import type { PagesApiHandler } from "./with-colivara-webhook-pages.js";

export * from "./app-router.js";

/**
 * Pages Router API routes run on Node.js only; on the Edge runtime this throws, naming the
 * fix. Use {@link withColivaraWebhook} in an App Router route with `runtime = "edge"`.
 *
 * @example
 * ```ts
 * // app/api/webhooks/colivara/route.ts: the Edge equivalent of a pages/api route
 * export const runtime = "edge";
 * export const POST = withColivaraWebhook(async ({ event }) => console.log(event.type));
 * ```
 */
export function withColivaraWebhookPages(..._args: unknown[]): PagesApiHandler {
  throw new WebhookVerificationError(
    "invalid_config",
    'withColivaraWebhookPages() is for pages/api routes, which run on Node.js. On the Edge runtime, use withColivaraWebhook() in an App Router route (app/**/route.ts) with export const runtime = "edge".',
  );
}
