// The Fastify routes of the benchmark: ours (the plugin on an opted-in route), a bare route
// doing no verification (Fastify's own JSON parsing), the floor (a raw-buffer parser, one
// HMAC, JSON.parse), the route a user would write by hand with the svix package (a raw-buffer
// parser in its own scope), and `hooked`: the least a plugin can do that leaves the app's
// parsers alone (the raw bytes read and checked in the route's preParsing hook, then replayed
// to Fastify's own JSON parser), the shape the plugin has. A process builds only the route it measures, so no
// other app's code shapes the JIT's view of Fastify.

import { Readable } from "node:stream";
import colivaraWebhooks from "@colivara/webhooks-fastify";
import Fastify from "fastify";
import { Webhook } from "svix";
import { floorMac, floorVerify } from "./serve.mjs";

/** A scope whose JSON parser hands over the raw bytes, as a hand-written verifying route needs. */
function rawJson(scope) {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
}

function ignore() {}

/** The route's preParsing hook of `hooked`: the raw bytes, one HMAC, then the bytes again. */
function checkThenReplay(secret) {
  return (request, reply, payload, done) => {
    const chunks = [];
    payload.on("data", (chunk) => chunks.push(chunk));
    payload.on("end", () => {
      const body = Buffer.concat(chunks);
      if (!floorMac(secret, request.headers, body)) {
        reply.code(401).send({ ok: false });
        return;
      }
      const replay = new Readable({ read: ignore });
      replay.push(body);
      replay.push(null);
      replay.receivedEncodedLength = body.length;
      done(null, replay);
    });
  };
}

const routes = {
  async ours(app, secret) {
    // The load repeats one signed delivery; with the default in-memory dedupe every repeat
    // would be answered as a duplicate without reaching the route. Measure the verify path.
    await app.register(colivaraWebhooks, { secret, dedupe: false });
    app.post("/hook", { config: { colivara: true } }, async (request) => ({
      ok: true,
      type: request.colivara.event.type,
    }));
  },
  async bare(app) {
    app.post("/hook", async (request) => ({ ok: true, type: request.body.type }));
  },
  async floor(app, secret) {
    await app.register(async (scope) => {
      rawJson(scope);
      scope.post("/hook", async (request, reply) => {
        const event = floorVerify(secret, request.headers, request.body);
        return event ? { ok: true, type: event.type } : reply.code(401).send({ ok: false });
      });
    });
  },
  async hooked(app, secret) {
    app.post("/hook", { preParsing: checkThenReplay(secret) }, async (request) => ({
      ok: true,
      type: request.body.type,
    }));
  },
  async svix(app, secret) {
    const wh = new Webhook(secret);
    await app.register(async (scope) => {
      rawJson(scope);
      scope.post("/hook", async (request, reply) => {
        try {
          const event = wh.verify(request.body, request.headers);
          return { ok: true, type: event.type };
        } catch {
          return reply.code(401).send({ ok: false });
        }
      });
    });
  },
};

/**
 * @param {string} secret
 * @param {"ours" | "bare" | "floor" | "svix" | "hooked"} route
 * @returns {Promise<import("node:http").Server>} not listening yet
 */
export async function fastifyApp(secret, route) {
  const app = Fastify({ bodyLimit: 2 * 1024 * 1024 });
  await routes[route](app, secret);
  await app.ready();
  return app.server;
}
