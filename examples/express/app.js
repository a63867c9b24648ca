import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";

/**
 * The whole integration: verify, then handle a typed event. Everything else is logging.
 * `deliveryLog` (a pino logger) gets one record per attempt; without it the pack prints one
 * line per refused attempt on stderr.
 * @param {{ secret?: string, readTimeoutMs?: number, log?: (line: string) => void, deliveryLog?: import("@colivara/webhooks").WebhookLogger }} [options]
 */
export function createApp(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const app = express();

  // Mount the verifier before any JSON parser: it needs the raw bytes.
  const verify = verifyColivara({
    secret: options.secret,
    readTimeoutMs: options.readTimeoutMs,
    log: options.deliveryLog,
  });
  app.post("/webhooks/colivara", verify, (req, res) => {
    const { id, timestamp, event } = req.colivara;
    const summary =
      event.type === "upsert.success"
        ? `${event.name} stored in ${event.collection_name} (${event.num_pages} pages, document ${event.id})`
        : event.type === "upsert.fail"
          ? `${event.name} failed: ${event.error}`
          : `unhandled event type ${event.originalType}`;
    log(JSON.stringify({ verified: true, id, type: event.type, sentAt: timestamp.toISOString(), summary }));
    res.status(200).json({ received: true, summary });
  });

  app.use(express.json());
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}
