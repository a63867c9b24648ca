import { createWebhookHandler } from "@colivara/webhooks";
import type { Route } from "./+types/webhooks.colivara";

const handle = createWebhookHandler(async ({ id, event }) => {
  if (event.type === "upsert.success") console.log(`${id}: ${event.name} is searchable (${event.num_pages} pages)`);
});

// A resource route (no default export): POST reaches the action, and the handler answers 405 to a GET.
export const action = ({ request }: Route.ActionArgs) => handle(request);
export const loader = ({ request }: Route.LoaderArgs) => handle(request);
