import { createWebhookHandler } from "@colivara/webhooks";

const handle = createWebhookHandler(async ({ id, event }) => {
  if (event.type === "upsert.success") console.log(`${id}: ${event.name} is searchable (${event.num_pages} pages)`);
});

// Every method reaches the handler, which answers 405 to all but POST. toWebRequest leaves the
// body unread, so the signature is checked over its exact bytes.
export default defineEventHandler((event) => handle(toWebRequest(event)));
