// Typed metadata on the Node.js runtime: `metadata` takes a schema (zod here; valibot and
// arktype work the same), `event.metadata` is its output, and a document whose metadata does
// not fit is answered 422 invalid_metadata with `webhook-delivery: abort-message` (a retry
// cannot change it), kept through `deadLetter` and reported through `onError`.
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { DocumentMetadata } from "@/lib/document-metadata";
import { nodeWebhookOptions } from "@/lib/node-webhook-options";
import { keepDeadLetter, logWithMetadata } from "@/lib/webhook-log";

export const POST = withColivaraWebhook(
  async (webhook) => {
    logWithMetadata(webhook, "app-node");
    return Response.json({ id: webhook.id, type: webhook.event.type });
  },
  { ...nodeWebhookOptions, metadata: DocumentMetadata, deadLetter: keepDeadLetter("app-node") },
);
