// The Pages Router integration (Node.js). Next's body parser must be off: the signature
// covers the exact bytes of the body.
import { withColivaraWebhookPages } from "@colivara/webhooks-next";
import { nodeWebhookOptions } from "@/lib/node-webhook-options";
import { logVerified } from "@/lib/webhook-log";

export const config = { api: { bodyParser: false } };

export default withColivaraWebhookPages(async (webhook, _req, res) => {
  logVerified(webhook, "pages", "verify");
  // Answer with res, or leave it alone for 204.
  res.status(200).json({ id: webhook.id, type: webhook.event.type });
}, nodeWebhookOptions);
