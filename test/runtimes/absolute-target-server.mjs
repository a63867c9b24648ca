// Serves one webhook endpoint on Node (@hono/node-server), Deno (Deno.serve) or Bun
// (Bun.serve), from the built packages: the Fetch handler or the Hono middleware, with the
// options given as JSON in the second argument. Prints {"port"} once listening, or {"error"}
// when the endpoint refuses its options at start-up; each delivery record as {"record"}.
import { Hono } from "hono";
import { createWebhookHandler } from "../../packages/core/dist/index.mjs";
import { colivaraWebhook } from "../../packages/hono/dist/index.mjs";

const [kind, json] = process.argv.slice(2);
const print = (line) => console.log(JSON.stringify(line));
const write = (fields) => print({ record: fields });
const options = { ...JSON.parse(json ?? "{}"), log: { info: write, warn: write, error: write } };

function endpoint() {
  if (kind === "fetch") return createWebhookHandler(() => undefined, options);
  const app = new Hono();
  app.post("/webhooks/colivara", colivaraWebhook(options), (c) => c.body(null, 204));
  return app.fetch;
}

let fetch;
try {
  fetch = endpoint();
} catch (error) {
  print({ error: error.message });
  process.exit(0);
}
if (globalThis.Deno) {
  Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => print({ port }) }, fetch);
} else if (globalThis.Bun) {
  print({ port: Bun.serve({ port: 0, hostname: "127.0.0.1", fetch }).port });
} else {
  const { serve } = await import("@hono/node-server");
  serve({ fetch, port: 0, hostname: "127.0.0.1" }, ({ port }) => print({ port }));
}
