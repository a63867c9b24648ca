import type {
  ColivaraEvent,
  VerifiedWebhook,
  WebhookHandlers,
  WebhookVerificationError,
} from "@colivara/webhooks-next";
import type { DocumentMetadata } from "./document-metadata";

/** The example's three integrations, one per way of running a Next.js route. */
export type Integration = "app-node" | "app-edge" | "pages";

/**
 * The form of the wrapper: `verify` hands the event to your function, `handlers` is the `on`
 * map, `metadata` hands it over with `event.metadata` checked by a schema (document-metadata.ts).
 */
export type Form = "verify" | "handlers" | "metadata";

export function summarize(event: ColivaraEvent<unknown>): string {
  switch (event.type) {
    case "upsert.success":
      return `${event.name} stored in ${event.collection_name} (${event.num_pages} pages, document ${event.id})`;
    case "upsert.fail":
      return `${event.name} failed: ${event.error}`;
    case "unknown":
      return `unhandled event type ${event.originalType}`;
  }
}

/**
 * What this example does with a verified delivery: log it as one JSON line. A real app
 * would store it or enqueue work, keyed by `webhook.id` (the same on every retry).
 */
export function logVerified(
  webhook: VerifiedWebhook<ColivaraEvent<unknown>>,
  integration: Integration,
  form: Form,
  extra: Record<string, unknown> = {},
): void {
  const { id, timestamp, event } = webhook;
  console.log(
    JSON.stringify({
      verified: true,
      integration,
      form,
      runtime: process.env.NEXT_RUNTIME,
      id,
      type: event.type,
      ...(event.type === "unknown" ? { originalType: event.originalType } : { name: event.name }),
      sentAt: timestamp.toISOString(),
      summary: summarize(event),
      ...extra,
    }),
  );
}

/**
 * The metadata route's handler: the same line, with the schema's output (only the keys the
 * schema keeps). `event.metadata.tenant` is a string here, no cast needed.
 */
export function logWithMetadata(
  webhook: VerifiedWebhook<ColivaraEvent<DocumentMetadata>>,
  integration: Integration,
): void {
  const { event } = webhook;
  logVerified(webhook, integration, "metadata", event.type === "unknown" ? {} : { metadata: event.metadata });
}

/**
 * The metadata route's `deadLetter`: where a delivery refused for good (here: its metadata
 * does not fit the schema) is kept, as one JSON line. A real app would store it for a person
 * to look at. `error.issues` holds the schema's paths and messages, never the values.
 */
export function keepDeadLetter(
  integration: Integration,
): (webhook: VerifiedWebhook, error: WebhookVerificationError) => void {
  return ({ id, timestamp, event }, error) => {
    console.log(
      JSON.stringify({
        deadLetter: true,
        integration,
        runtime: process.env.NEXT_RUNTIME,
        id,
        type: event.type,
        sentAt: timestamp.toISOString(),
        code: error.code,
        issues: error.issues ?? [],
      }),
    );
  };
}

/** The handler-map form: one function per event type, `unknown` for types added later. */
export function handlerMap(integration: Integration): WebhookHandlers {
  return {
    "upsert.success": (_event, webhook) => logVerified(webhook, integration, "handlers"),
    "upsert.fail": (event, webhook) => {
      // A handler that fails (here: a document named "explode") answers 500, so ColiVara
      // retries later; the error goes to onError (console.error by default).
      if (event.name === "explode") throw new Error(`could not process ${event.name}`);
      logVerified(webhook, integration, "handlers");
    },
    unknown: (_event, webhook) => logVerified(webhook, integration, "handlers"),
  };
}
