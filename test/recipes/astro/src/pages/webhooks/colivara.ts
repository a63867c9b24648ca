import { createWebhookHandler } from "@colivara/webhooks";
import type { APIRoute } from "astro";

const handle = createWebhookHandler(async ({ id, event }) => {
  if (event.type === "upsert.success") console.log(`${id}: ${event.name} is searchable (${event.num_pages} pages)`);
});

// ALL: every method reaches the handler, which answers 405 to all but POST.
export const ALL: APIRoute = ({ request }) => handle(request);
