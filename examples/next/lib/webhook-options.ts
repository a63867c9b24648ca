import type { ColivaraWebhookHandlerOptions } from "@colivara/webhooks-next";

/**
 * Options of the example's webhook routes, from the environment (read when the server
 * starts, not at build time). Optional: COLIVARA_READ_TIMEOUT_MS, how long a request body
 * may take to arrive before a 408 (default 10000); the load tests set it to 2000.
 */
export const webhookOptions: ColivaraWebhookHandlerOptions = {
  readTimeoutMs: process.env.COLIVARA_READ_TIMEOUT_MS ? Number(process.env.COLIVARA_READ_TIMEOUT_MS) : undefined,
};
