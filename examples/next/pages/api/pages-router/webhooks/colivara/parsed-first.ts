// The mistake to avoid, kept so the tests can show its answer: no `bodyParser: false`, so
// Next parses the JSON first and the raw bytes are gone. Every delivery answers 500
// body_already_parsed, and the message names the missing config line.
import { withColivaraWebhookPages } from "@colivara/webhooks-next";
import { logVerified } from "@/lib/webhook-log";

export default withColivaraWebhookPages(async (webhook, _req, res) => {
  logVerified(webhook, "pages", "verify");
  res.status(200).json({ id: webhook.id, type: webhook.event.type });
});
