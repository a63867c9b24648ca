// The mistake to avoid, kept so the tests can show its answer: reading the body before the
// wrapper. The signature covers the raw bytes, so the wrapper answers 500
// body_already_parsed and says to pass the untouched Request.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { logVerified } from "@/lib/webhook-log";

const verified = withColivaraWebhook(async (webhook) => {
  logVerified(webhook, "app-node", "verify");
  return Response.json({ id: webhook.id, type: webhook.event.type });
});

export async function POST(request: Request): Promise<Response> {
  await request.json().catch(() => undefined);
  return verified(request);
}
