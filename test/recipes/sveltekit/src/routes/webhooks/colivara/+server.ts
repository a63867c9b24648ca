import { createWebhookHandler } from "@colivara/webhooks";
import { building } from "$app/environment";
import type { RequestHandler } from "./$types";

// `vite build` imports this module to analyse it, without the secret: create the handler in the server only.
const handle = building
  ? undefined
  : createWebhookHandler(async ({ id, event }) => {
      if (event.type === "upsert.success") console.log(`${id}: ${event.name} is searchable (${event.num_pages} pages)`);
    });

export const POST: RequestHandler = ({ request }) => (handle as NonNullable<typeof handle>)(request);
