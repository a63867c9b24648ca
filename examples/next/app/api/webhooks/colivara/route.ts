// The App Router integration on the default Node.js runtime (node:crypto).
// Verify in the route itself, never in middleware.ts. The secret comes from
// COLIVARA_WEBHOOK_SECRET and is read on the first delivery, so `next build` needs none.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { nodeWebhookOptions } from "@/lib/node-webhook-options";
import { logVerified } from "@/lib/webhook-log";

export const POST = withColivaraWebhook(async (webhook) => {
  logVerified(webhook, "app-node", "verify");
  // Return a Response, or nothing for 204.
  return Response.json({ id: webhook.id, type: webhook.event.type });
}, nodeWebhookOptions);
