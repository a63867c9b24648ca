// The routes of the adapters that take a Fetch `Request` and return a `Response`, called
// directly as their runtime calls them (Next.js calls `export const POST`, Bun and Deno call
// `fetch`, @hono/node-server calls `app.fetch`): no HTTP server, so what is measured is the
// route, not the runtime's HTTP stack. Per adapter: ours, a bare route that only reads the
// body, the floor (the body's bytes, one HMAC, a constant-time compare, JSON.parse) and the
// route a user would write with the svix package. Every route answers 204.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createWebhookHandler } from "@colivara/webhooks";
import { colivaraWebhook } from "@colivara/webhooks-hono";
import { withColivaraWebhook } from "@colivara/webhooks-next";
import { Hono } from "hono";
import { Webhook } from "svix";

/** Turns off the exactly-once store, as the HTTP sections must (they repeat one delivery). */
const NO_DEDUPE = { dedupe: false };

function keyOf(secret) {
  return Buffer.from(secret.slice("whsec_".length), "base64");
}

/** The floor on bytes already read: HMAC, constant-time compare, JSON.parse. */
function floorCheck(key, headers, body) {
  const mac = createHmac("sha256", key)
    .update(`${headers.get("svix-id")}.${headers.get("svix-timestamp")}.`)
    .update(body)
    .digest();
  const expected = Buffer.from(headers.get("svix-signature").slice(3), "base64");
  if (expected.length !== mac.length || !timingSafeEqual(mac, expected)) return false;
  JSON.parse(body.toString());
  return true;
}

/**
 * The Fetch routes (Next App Router and the framework-free Fetch handler share them). The
 * floor reads the bytes the cheapest way a Request allows (its stream reader: cheaper than
 * arrayBuffer() or text()), using a single chunk in place, as our reader does.
 */
const fetchRoutes = {
  bare: () => async (request) => {
    await request.text();
    return new Response(null, { status: 204 });
  },
  floor: (secret) => {
    const key = keyOf(secret);
    return async (request) => {
      const reader = request.body.getReader();
      const chunks = [];
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value);
      const [first] = chunks;
      const body =
        chunks.length === 1 ? Buffer.from(first.buffer, first.byteOffset, first.byteLength) : Buffer.concat(chunks);
      if (!floorCheck(key, request.headers, body)) return new Response(null, { status: 401 });
      return new Response(null, { status: 204 });
    };
  },
  svix: (secret) => {
    const wh = new Webhook(secret);
    return async (request) => {
      const text = await request.text();
      try {
        wh.verify(text, Object.fromEntries(request.headers));
      } catch {
        return new Response(null, { status: 401 });
      }
      return new Response(null, { status: 204 });
    };
  },
};

/** The Hono routes, each one app with one POST route, called through `app.fetch`. */
const honoRoutes = {
  ours: (secret) => new Hono().post("/hook", colivaraWebhook({ secret, ...NO_DEDUPE }), (c) => c.body(null, 204)),
  bare: () =>
    new Hono().post("/hook", async (c) => {
      await c.req.arrayBuffer();
      return c.body(null, 204);
    }),
  floor: (secret) => {
    const key = keyOf(secret);
    return new Hono().post("/hook", async (c) => {
      const body = Buffer.from(await c.req.arrayBuffer());
      return floorCheck(key, c.req.raw.headers, body) ? c.body(null, 204) : c.body(null, 401);
    });
  },
  svix: (secret) => {
    const wh = new Webhook(secret);
    return new Hono().post("/hook", async (c) => {
      const text = await c.req.text();
      try {
        wh.verify(text, Object.fromEntries(c.req.raw.headers));
      } catch {
        return c.body(null, 401);
      }
      return c.body(null, 204);
    });
  },
};

/** @type {Record<string, Record<string, (secret: string) => (request: Request) => Promise<Response>>>} */
export const FETCH_APPS = {
  "next-app": {
    ours: (secret) => withColivaraWebhook(async () => {}, { secret, ...NO_DEDUPE }),
    ...fetchRoutes,
  },
  fetch: {
    ours: (secret) => createWebhookHandler(async () => {}, { secret, ...NO_DEDUPE }),
    ...fetchRoutes,
  },
  hono: Object.fromEntries(
    Object.entries(honoRoutes).map(([route, build]) => [
      route,
      (secret) => {
        const app = build(secret);
        return (request) => app.fetch(request);
      },
    ]),
  ),
};

/** Where the requests are sent (Hono routes on the path). */
export const FETCH_URL = "https://app.example.com/hook";
