// The body read before the wrapper, on the Edge runtime: 500 body_already_parsed.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { logVerified } from "@/lib/webhook-log";

export const runtime = "edge";

const verified = withColivaraWebhook(async (webhook) => {
  logVerified(webhook, "app-edge", "verify");
  return Response.json({ id: webhook.id, type: webhook.event.type });
});

export async function POST(request: Request): Promise<Response> {
  await request.json().catch(() => undefined);
  return verified(request);
}
