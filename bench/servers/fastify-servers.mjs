// Four Fastify apps for the benchmark, one port each: ours (the plugin on an opted-in
// route), a bare route doing no verification (Fastify's own JSON parsing), the floor (a
// raw-buffer parser, one HMAC, JSON.parse) and the route a user would write by hand with
// the svix package (a raw-buffer parser in its own scope).
import colivaraWebhooks from "@colivara/webhooks-fastify";
import Fastify from "fastify";
import { Webhook } from "svix";
import { announce, floorVerify } from "./serve.mjs";

const secret = process.env.BENCH_SECRET;
const bodyLimit = 2 * 1024 * 1024;

async function listen(app) {
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app.server.address().port;
}

const ours = Fastify({ bodyLimit });
// The load repeats one signed delivery; with the default in-memory dedupe every repeat would
// be answered as a duplicate without reaching the route. Measure the verify path instead.
await ours.register(colivaraWebhooks, { secret, dedupe: false });
ours.post("/hook", { config: { colivara: true } }, async (request) => ({
  ok: true,
  type: request.colivara.event.type,
}));

const bare = Fastify({ bodyLimit });
bare.post("/hook", async (request) => ({ ok: true, type: request.body.type }));

/** A scope whose JSON parser hands over the raw bytes, as a hand-written verifying route needs. */
function rawJson(scope) {
  scope.removeContentTypeParser("application/json");
  scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
}

const floor = Fastify({ bodyLimit });
await floor.register(async (scope) => {
  rawJson(scope);
  scope.post("/hook", async (request, reply) => {
    const event = floorVerify(secret, request.headers, request.body);
    return event ? { ok: true, type: event.type } : reply.code(401).send({ ok: false });
  });
});

const svix = Fastify({ bodyLimit });
const wh = new Webhook(secret);
await svix.register(async (scope) => {
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

announce({ ours: await listen(ours), bare: await listen(bare), floor: await listen(floor), svix: await listen(svix) });
