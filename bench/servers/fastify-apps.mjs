// The four Fastify routes of the benchmark: ours (the plugin on an opted-in route), a bare
// route doing no verification (Fastify's own JSON parsing), the floor (a raw-buffer parser,
// one HMAC, JSON.parse) and the route a user would write by hand with the svix package (a
// raw-buffer parser in its own scope). A process builds only the route it measures, so no
// other app's code shapes the JIT's view of Fastify.
import colivaraWebhooks from "@colivara/webhooks-fastify";
import Fastify from "fastify";
import { Webhook } from "svix";
import { floorVerify } from "./serve.mjs";

/** A scope whose JSON parser hands over the raw bytes, as a hand-written verifying route needs. */
function rawJson(scope) {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
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
 * @param {"ours" | "bare" | "floor" | "svix"} route
 * @returns {Promise<import("node:http").Server>} not listening yet
 */
export async function fastifyApp(secret, route) {
  const app = Fastify({ bodyLimit: 2 * 1024 * 1024 });
  await routes[route](app, secret);
  await app.ready();
  return app.server;
}
