// Runs under Node, Deno or Bun: drives the built Fetch handler with the deliveries in the
// JSON file given as the first argument and prints what each answered.
import { readFileSync } from "node:fs";
import { createVerifier, createWebhookHandler } from "../../packages/core/dist/index.mjs";

const { secret, deliveries } = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
const seen = [];
const handle = createWebhookHandler(
  async ({ id, event }) => {
    seen.push({ id, type: event.type });
  },
  { secret },
);
const results = [];
for (const delivery of deliveries) {
  const response = await handle(
    new Request("http://127.0.0.1/webhooks/colivara", {
      method: "POST",
      body: delivery.body,
      headers: delivery.headers,
    }),
  );
  results.push({ status: response.status, body: await response.text() });
}
console.log(JSON.stringify({ engine: createVerifier({ secret }).engine, results, seen }));
