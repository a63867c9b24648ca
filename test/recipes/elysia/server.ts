import { createWebhookHandler } from "@colivara/webhooks";
import { Elysia } from "elysia";

const handle = createWebhookHandler(async ({ id, event }) => {
  if (event.type === "upsert.success") console.log(`${id}: ${event.name} is searchable (${event.num_pages} pages)`);
});

// mount hands the handler Bun's Request untouched (Elysia parses no body for it); every method
// reaches it, and it answers 405 to all but POST.
new Elysia()
  .mount("/webhooks/colivara", handle)
  .listen({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
