// Typed metadata on the Edge runtime: the same zod schema, bundled for Edge.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { DocumentMetadata } from "@/lib/document-metadata";
import { keepDeadLetter, logWithMetadata } from "@/lib/webhook-log";
import { webhookOptions } from "@/lib/webhook-options";

export const runtime = "edge";

export const POST = withColivaraWebhook(
  async (webhook) => {
    logWithMetadata(webhook, "app-edge");
    return Response.json({ id: webhook.id, type: webhook.event.type });
  },
  { ...webhookOptions, metadata: DocumentMetadata, deadLetter: keepDeadLetter("app-edge") },
);
