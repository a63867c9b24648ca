// A verified route's body is parsed once: by Fastify's content-type parser, whose result the
// pack checks into the event. These tests hold the pack to that, and to every refusal it made
// when it parsed the bytes itself.
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { successPayload } from "../../../test/conformance/deliveries.js";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import colivaraWebhooks from "../src/index.js";
import { FASTIFY_VERSIONS } from "./fastify-versions.js";

const secret = newSecret();

const apps: FastifyInstance[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const app of apps.splice(0)) await app.close();
});

function deliver(app: FastifyInstance, body: string | Buffer) {
  const { headers } = signIndependently(secret, body);
  return app.inject({ method: "POST", url: "/hook", payload: body, headers });
}

function errorOf(response: { json(): unknown }): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

describe.each(FASTIFY_VERSIONS)("%s", (_name, fastify) => {
  /** The plugin and one opted-in route; `seen` keeps what the route was handed. */
  async function app(options: FastifyServerOptions = {}, setup: (app: FastifyInstance) => void = () => {}) {
    const instance = fastify(options);
    apps.push(instance);
    await instance.register(colivaraWebhooks, { secret });
    setup(instance);
    const seen: Array<{ event: unknown; body: unknown }> = [];
    instance.post("/hook", { config: { colivara: true } }, async (request) => {
      seen.push({ event: request.colivara.event, body: request.body });
      return { ok: true };
    });
    return { app: instance, seen };
  }

  it("builds the event from Fastify's own parse: request.colivara.event is request.body", async () => {
    const { app: instance, seen } = await app();
    const body = JSON.stringify(successPayload());
    expect((await deliver(instance, body)).statusCode).toBe(200);
    expect(seen[0]?.event).toBe(seen[0]?.body);
    expect(seen[0]?.event).toEqual(JSON.parse(body));
  });

  it("parses the body text once per delivery", async () => {
    const { app: instance } = await app();
    const body = JSON.stringify(successPayload());
    const parse = vi.spyOn(JSON, "parse");
    expect((await deliver(instance, body)).statusCode).toBe(200);
    expect(parse.mock.calls.filter(([text]) => String(text) === body)).toHaveLength(1);
  });

  it("lets app-wide preValidation hooks declared after the plugin read request.colivara", async () => {
    const types: string[] = [];
    const { app: instance } = await app({}, (scope) =>
      scope.addHook("preValidation", async (request) => {
        if (request.routeOptions.config.colivara) types.push(request.colivara.event.type);
      }),
    );
    expect((await deliver(instance, JSON.stringify(successPayload()))).statusCode).toBe(200);
    expect(types).toEqual(["upsert.success"]);
  });

  it("parses the bytes itself when the app's JSON parser wraps them, so a genuine delivery is still taken", async () => {
    const { app: instance, seen } = await app({}, (scope) => {
      scope.removeContentTypeParser("application/json");
      scope.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) =>
        done(null, { raw: text, json: JSON.parse(String(text)) }),
      );
    });
    const body = JSON.stringify(successPayload());
    expect((await deliver(instance, body)).statusCode).toBe(200);
    expect(seen[0]?.event).toEqual(JSON.parse(body));
    expect(seen[0]?.body).toEqual({ raw: body, json: JSON.parse(body) });
  });

  it.each([
    ["its own error handler", true],
    ["the plugin's error handler", false],
  ])(
    "answers 400 invalid_payload when the app's parser refuses a verified body (route with %s)",
    async (_label, own) => {
      const instance = fastify();
      apps.push(instance);
      await instance.register(colivaraWebhooks, { secret });
      instance.removeContentTypeParser("application/json");
      instance.addContentTypeParser("application/json", (_request, _payload, done) =>
        done(new Error("this app takes no JSON"), undefined),
      );
      let reached = false;
      instance.post(
        "/hook",
        {
          config: { colivara: true },
          ...(own && { errorHandler: (_error, _request, reply) => reply.code(418).send("teapot") }),
        },
        async () => {
          reached = true;
          return { ok: true };
        },
      );
      const response = await deliver(instance, JSON.stringify(successPayload()));
      expect(response.statusCode).toBe(400);
      expect(errorOf(response)).toMatchObject({
        code: "invalid_payload",
        message: expect.stringMatching(/body parser refused/),
      });
      expect(reached).toBe(false);
    },
  );

  it.each(["error", "ignore", "remove"] as const)(
    "refuses a signed body with a __proto__ key, naming it (onProtoPoisoning: %s)",
    async (onProtoPoisoning) => {
      const { app: instance, seen } = await app({ onProtoPoisoning });
      const body = JSON.stringify(successPayload()).replace("{", '{"__proto__":{"admin":true},');
      const response = await deliver(instance, body);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response)).toMatchObject({ code: "invalid_payload", message: expect.stringMatching(/__proto__/) });
      expect(seen).toEqual([]);
    },
  );

  it("refuses a signed body that is not UTF-8, which Fastify's decoder would have patched", async () => {
    const { app: instance, seen } = await app();
    const text = JSON.stringify(successPayload());
    const body = Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from([0xff]), Buffer.from(text.slice(-2))]);
    const response = await deliver(instance, body);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "invalid_payload", message: expect.stringMatching(/UTF-8/) });
    expect(seen).toEqual([]);
  });
});
