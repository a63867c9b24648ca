// A Cloudflare Worker running a Hono app with the pack's middleware, bundled by the workerd
// test (hono included) and run on the real workerd runtime.

import { Hono } from "hono";
import { colivaraWebhook } from "../../packages/hono/dist/index.mjs";

const seen = [];
let app;

function build(env) {
  const hono = new Hono();
  hono.get("/seen", (c) => c.json(seen));
  hono.post("/webhooks/colivara", colivaraWebhook({ secret: env.SECRET, limit: Number(env.LIMIT) }), (c) => {
    const { id, event } = c.get("colivara");
    seen.push({ id, type: event.type });
    return c.body(null, 204);
  });
  return hono;
}

export default {
  fetch(request, env, context) {
    app ??= build(env);
    return app.fetch(request, env, context);
  },
};
