// The two Fetch-based adapters as servers for the load suite, as a user would run them on
// Node: `node fetch-servers.mjs hono` (colivaraWebhook() on Hono) or `node fetch-servers.mjs
// fetch` (createWebhookHandler), both on @hono/node-server. Like the example apps: one JSON
// line per verified event on stdout, COLIVARA_WEBHOOK_SECRET, COLIVARA_READ_TIMEOUT_MS, PORT, HOST.
import { createRequire } from "node:module";
import { createWebhookHandler } from "@colivara/webhooks";
import { colivaraWebhook } from "@colivara/webhooks-hono";
import { Hono } from "hono";
import pino from "pino";

// @hono/node-server is a dev dependency of the Hono adapter, not of the workspace root.
const requireFromHono = createRequire(new URL("../../../packages/hono/package.json", import.meta.url));
const { serve } = await import(requireFromHono.resolve("@hono/node-server"));

const kind = process.argv[2];
const readTimeoutMs = process.env.COLIVARA_READ_TIMEOUT_MS ? Number(process.env.COLIVARA_READ_TIMEOUT_MS) : undefined;
// COLIVARA_LOG=json: a pino record of every attempt on stdout, as the example apps write.
const deliveryLog = process.env.COLIVARA_LOG === "json" ? pino() : undefined;
const log = ({ id, timestamp, event }) =>
  console.log(JSON.stringify({ verified: true, id, type: event.type, sentAt: timestamp.toISOString() }));

let fetch;
if (kind === "hono") {
  const app = new Hono();
  app.post("/webhooks/colivara", colivaraWebhook({ readTimeoutMs, log: deliveryLog }), (c) => {
    log(c.get("colivara"));
    return c.json({ received: true });
  });
  fetch = app.fetch;
} else if (kind === "fetch") {
  const handler = createWebhookHandler(
    (webhook) => {
      log(webhook);
      return Response.json({ received: true });
    },
    { readTimeoutMs, log: deliveryLog },
  );
  fetch = (request) =>
    new URL(request.url).pathname === "/webhooks/colivara" ? handler(request) : new Response(null, { status: 404 });
} else {
  throw new Error(`usage: node fetch-servers.mjs hono|fetch (got ${kind})`);
}

const host = process.env.HOST ?? "127.0.0.1";
const server = serve({ fetch, port: Number(process.env.PORT ?? 3000), hostname: host }, ({ port }) =>
  console.log(`ColiVara webhook receiver (${kind}) listening on http://${host}:${port}/webhooks/colivara`),
);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  });
}
