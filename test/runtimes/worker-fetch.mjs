// A Cloudflare Worker (module syntax) serving the pack's Fetch handler, bundled by the
// workerd test and run on the real workerd runtime. The secret comes from a binding; the
// handler (and its in-memory dedupe store) lives as long as the isolate.
import { createWebhookHandler } from "../../packages/core/dist/index.mjs";

let handle;
const seen = [];

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/seen") return Response.json(seen);
    handle ??= createWebhookHandler(
      ({ id, event }) => {
        seen.push({ id, type: event.type });
      },
      { secret: env.SECRET, limit: Number(env.LIMIT) },
    );
    return handle(request);
  },
};
