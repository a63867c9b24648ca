// The App Router integration on the Edge runtime (Web Crypto instead of node:crypto).
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { logVerified } from "@/lib/webhook-log";
import { webhookOptions } from "@/lib/webhook-options";

export const runtime = "edge";

export const POST = withColivaraWebhook(async (webhook) => {
  logVerified(webhook, "app-edge", "verify");
  return Response.json({ id: webhook.id, type: webhook.event.type });
}, webhookOptions);
