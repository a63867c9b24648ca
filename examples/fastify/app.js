import colivaraWebhooks from "@colivara/webhooks-fastify";
import Fastify from "fastify";

/**
 * The whole integration: register the plugin, opt the webhook route in, handle a typed
 * event. Everything else is logging.
 * `deliveryLog` (a pino logger) gets one record per attempt; without it the pack prints one
 * line per refused attempt on stderr.
 * @param {{ secret?: string, readTimeoutMs?: number, log?: (line: string) => void, deliveryLog?: import("@colivara/webhooks").WebhookLogger }} [options]
 */
export async function createApp(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const app = Fastify();

  // Reads COLIVARA_WEBHOOK_SECRET when no secret is given; a bad one fails here, at start-up.
  await app.register(colivaraWebhooks, {
    secret: options.secret,
    readTimeoutMs: options.readTimeoutMs,
    log: options.deliveryLog,
  });

  app.post("/webhooks/colivara", { config: { colivara: true } }, async (request) => {
    const { id, timestamp, event } = request.colivara;
    const summary =
      event.type === "upsert.success"
        ? `${event.name} stored in ${event.collection_name} (${event.num_pages} pages, document ${event.id})`
        : event.type === "upsert.fail"
          ? `${event.name} failed: ${event.error}`
          : `unhandled event type ${event.originalType}`;
    log(JSON.stringify({ verified: true, id, type: event.type, sentAt: timestamp.toISOString(), summary }));
    return { received: true, summary };
  });

  // Every other route keeps Fastify's normal JSON parsing.
  app.post("/api/echo", async (request) => ({ youSent: request.body }));
  app.get("/health", async () => ({ ok: true }));
  return app;
}
