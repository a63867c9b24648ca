import type { ColivaraEvent, VerifiedWebhook, WebhookHandlers } from "@colivara/webhooks-next";

/** The example's three integrations, one per way of running a Next.js route. */
export type Integration = "app-node" | "app-edge" | "pages";

/** The form of the wrapper: `verify` hands the event to your function, `handlers` is the `on` map. */
export type Form = "verify" | "handlers";

export function summarize(event: ColivaraEvent): string {
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
export function logVerified(webhook: VerifiedWebhook, integration: Integration, form: Form): void {
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
    }),
  );
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
