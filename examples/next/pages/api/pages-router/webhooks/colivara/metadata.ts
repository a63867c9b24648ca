// Typed metadata in a Pages Router API route (body parser off, as for every webhook route).
import { withColivaraWebhookPages } from "@colivara/webhooks-next";
import { DocumentMetadata } from "@/lib/document-metadata";
import { nodeWebhookOptions } from "@/lib/node-webhook-options";
import { keepDeadLetter, logWithMetadata } from "@/lib/webhook-log";

export const config = { api: { bodyParser: false } };

export default withColivaraWebhookPages(
  async (webhook, _req, res) => {
    logWithMetadata(webhook, "pages");
    res.status(200).json({ id: webhook.id, type: webhook.event.type });
  },
  { ...nodeWebhookOptions, metadata: DocumentMetadata, deadLetter: keepDeadLetter("pages") },
);
