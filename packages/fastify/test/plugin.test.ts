import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import fastify5, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from "fastify";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { abortMidUpload } from "../../../test/conformance/http-client.js";
import { eventually } from "../../../test/support/eventually.js";
import colivaraWebhooks, {
  type ColivaraWebhookOptions,
  colivaraWebhooks as named,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import { FASTIFY_VERSIONS } from "./fastify-versions.js";

const secret = newSecret();
const KiB = 1024;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function track(app: FastifyInstance): FastifyInstance {
  apps.push(app);
  return app;
}

function deliver(app: FastifyInstance, delivery: Pick<Delivery, "body" | "headers">, url = "/hook") {
  return app.inject({ method: "POST", url, payload: delivery.body, headers: delivery.headers });
}

function errorOf(response: { json(): unknown }): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

describe.each(FASTIFY_VERSIONS)("%s", (_name, fastify) => {
  /** The documented setup: the plugin, one opted-in route recording what it saw. */
  async function webhookApp(options: ColivaraWebhookOptions = { secret }) {
    const seen: Array<{ webhook: VerifiedWebhook; body: unknown }> = [];
    const app = track(fastify());
    await app.register(colivaraWebhooks, options);
    app.post("/hook", { config: { colivara: true } }, async (request) => {
      seen.push({ webhook: request.colivara, body: request.body });
      return { id: request.colivara.id, type: request.colivara.event.type };
    });
    return { app, seen };
  }

  describe("configuration fails register", () => {
    it.each([
      [{ secret: "whsec_c2hvcnQ=" }, /24 bytes/],
      [{ secret, limit: -1 }, /limit/],
      [{ secret, limit: "lots" }, /limit/],
      [{ secret, on: { "upsert.sucess": () => {} } }, /upsert\.sucess/],
      [{ secret, on: { "upsert.fail": "nope" } }, /must be a function/],
      [{ secret, onError: 3 }, /onError/],
      [{ secret, toleranceSeconds: -5 }, /toleranceSeconds/],
      [{ secret, path: "/hook" }, /path needs on/],
      [{ secret, path: "hook", on: {} }, /starting with "\/"/],
    ])("rejects %j", async (options, message) => {
      const app = track(fastify());
      await expect(app.register(colivaraWebhooks, options as never)).rejects.toThrow(message);
    });

    it("throws invalid_config when no secret is configured", async () => {
      vi.stubEnv("COLIVARA_WEBHOOK_SECRET", "");
      try {
        const app = track(fastify());
        await expect(app.register(colivaraWebhooks)).rejects.toMatchObject({ code: "invalid_config" });
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it("reads COLIVARA_WEBHOOK_SECRET by default", async () => {
      vi.stubEnv("COLIVARA_WEBHOOK_SECRET", secret);
      try {
        const { app } = await webhookApp({});
        expect((await deliver(app, sign(secret, successPayload()))).statusCode).toBe(200);
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it("refuses a second registration in the same scope", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      await expect(app.register(colivaraWebhooks, { secret })).rejects.toThrow(/already registered in this scope/);
    });
  });

  describe("inject()", () => {
    it("hands the handler a verified, typed delivery; request.body is parsed as on any route", async () => {
      const { app, seen } = await webhookApp();
      const delivery = sign(secret, successPayload({ name: "inject.pdf" }));
      const response = await deliver(app, delivery);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: delivery.id, type: "upsert.success" });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.webhook.event).toMatchObject({ type: "upsert.success", name: "inject.pdf", num_pages: 12 });
      expect(seen[0]?.webhook.timestamp).toBeInstanceOf(Date);
      expect(seen[0]?.body).toEqual(JSON.parse(delivery.body));
    });

    it("answers a forgery 401 with the JSON error body, and the handler never runs", async () => {
      const { app, seen } = await webhookApp();
      const forged = sign(secret, successPayload());
      forged.body = forged.body.replace("report", "rep0rt");
      const response = await deliver(app, forged);
      expect(response.statusCode).toBe(401);
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
      expect(errorOf(response).code).toBe("invalid_signature");
      expect(seen).toHaveLength(0);
    });

    it("verifies before Fastify parses: an unsigned non-JSON body is 401, a signed one 400 invalid_payload", async () => {
      const { app, seen } = await webhookApp();
      const unsigned = await app.inject({
        method: "POST",
        url: "/hook",
        payload: "not json",
        headers: { "content-type": "application/json" },
      });
      expect(unsigned.statusCode).toBe(401);
      expect(errorOf(unsigned).code).toBe("missing_headers");
      const signed = await deliver(app, sign(secret, "not json"));
      expect(signed.statusCode).toBe(400);
      expect(errorOf(signed).code).toBe("invalid_payload");
      expect(seen).toHaveLength(0);
    });

    it("verifies whatever the content type says (the bytes are what is signed)", async () => {
      const { app } = await webhookApp();
      const delivery = sign(secret, failPayload());
      const response = await deliver(app, {
        ...delivery,
        headers: { ...delivery.headers, "content-type": "text/plain" },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: delivery.id, type: "upsert.fail" });
    });

    it("answers 413 over the limit, before hashing, from the declared length", async () => {
      const onError = vi.fn();
      const { app, seen } = await webhookApp({ secret, limit: "1kb", onError });
      const response = await deliver(app, sign(secret, successPayload({ message: "m".repeat(2 * KiB) })));
      expect(response.statusCode).toBe(413);
      expect(response.headers.connection).toBe("close");
      expect(errorOf(response).code).toBe("payload_too_large");
      expect(seen).toHaveLength(0);
      expect(onError).not.toHaveBeenCalled();
    });

    it("answers 405 with Allow: POST when an opted-in route also takes other methods", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      const handler = vi.fn(async () => "reached");
      app.route({ method: ["PUT", "POST"], url: "/hook", config: { colivara: true }, handler });
      const response = await app.inject({ method: "PUT", url: "/hook", payload: "{}" });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe("POST");
      expect(handler).not.toHaveBeenCalled();
    });

    it("runs the route's own preParsing hooks after the capture, on the same bytes", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      const order: string[] = [];
      app.post(
        "/hook",
        {
          config: { colivara: true },
          preParsing: async (_request, _reply, payload) => {
            order.push("route preParsing");
            return payload;
          },
          schema: { body: { type: "object", required: ["type", "name"] } },
        },
        async (request) => {
          order.push(`handler sees a verified ${request.colivara.event.type}`);
          return request.body;
        },
      );
      const forged = sign(secret, successPayload());
      const refused = await deliver(app, { ...forged, body: forged.body.replace("upsert", "upsery") });
      // The capture runs first: a forgery never reaches the route's own hooks.
      expect(refused.statusCode).toBe(401);
      expect(order).toEqual([]);
      const delivery = sign(secret, successPayload());
      const response = await deliver(app, delivery);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(JSON.parse(delivery.body));
      expect(order).toEqual(["route preParsing", "handler sees a verified upsert.success"]);
    });
  });

  describe("a verified body reaches the route through Fastify's own parsers", () => {
    /** An app whose JSON parser counts its calls. */
    async function countingApp(onError: (error: unknown) => void = () => {}) {
      const app = track(fastify());
      const parsed: string[] = [];
      app.removeContentTypeParser("application/json");
      app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
        parsed.push(request.url);
        done(null, JSON.parse(body as string));
      });
      await app.register(colivaraWebhooks, { secret, onError });
      const seen: Array<{ body: unknown; contentType: unknown }> = [];
      app.post("/hook", { config: { colivara: true } }, async (request) => {
        seen.push({ body: request.body, contentType: request.headers["content-type"] });
        return { ok: true };
      });
      app.post("/json", async (request) => request.body);
      return { app, parsed, seen };
    }

    it("hands the route the verified bytes, parsed by the app's own JSON parser, headers untouched", async () => {
      const { app, parsed, seen } = await countingApp();
      const delivery = sign(secret, successPayload({ name: "once.pdf" }));
      expect((await deliver(app, delivery)).statusCode).toBe(200);
      expect(seen).toEqual([{ body: JSON.parse(delivery.body), contentType: "application/json" }]);
      expect(parsed).toEqual(["/hook"]);
      const other = await app.inject({ method: "POST", url: "/json", payload: { a: 1 } });
      expect(other.json()).toEqual({ a: 1 });
      expect(parsed).toEqual(["/hook", "/json"]);
    });

    it("gives an unknown event type's route its raw JSON object as request.body", async () => {
      const { app, seen } = await countingApp();
      const payload = { type: "collection.created", name: "c", extra: [1, 2] };
      expect((await deliver(app, sign(secret, payload))).statusCode).toBe(200);
      expect(seen[0]?.body).toEqual(payload);
    });

    it("parses another content type as Fastify would, and hands on the verified bytes where Fastify has no parser", async () => {
      const errors: unknown[] = [];
      const { app, seen } = await countingApp((error) => errors.push(error));
      const delivery = sign(secret, failPayload());
      const typed = { ...delivery.headers, "content-type": "text/plain; charset=utf-8" };
      expect((await deliver(app, { ...delivery, headers: typed })).statusCode).toBe(200);
      expect(seen).toEqual([{ body: delivery.body, contentType: "text/plain; charset=utf-8" }]);
      const untyped = sign(secret, successPayload());
      const { "content-type": _dropped, ...headers } = untyped.headers;
      const accepted = await app.inject({ method: "POST", url: "/hook", payload: untyped.body, headers });
      // Svix signs bytes, not a media type: verified, handled, never a retried 500.
      expect(accepted.statusCode).toBe(200);
      expect(seen[1]).toEqual({ body: Buffer.from(untyped.body), contentType: undefined });
      expect(errors).toEqual([]);
    });

    it("leaves other routes' content types alone (no private media type to forge)", async () => {
      const { app } = await countingApp();
      const forged = await app.inject({
        method: "POST",
        url: "/json",
        payload: "{}",
        headers: { "content-type": "application/x-colivara-verified" },
      });
      expect(forged.statusCode).toBe(415);
    });

    it("works when an onRequest hook replaces request.headers", async () => {
      const { app, seen } = await countingApp();
      app.addHook("onRequest", async (request) => {
        request.headers = { "content-type": "application/json", "x-seen": "1" };
      });
      const delivery = sign(secret, successPayload());
      expect((await deliver(app, delivery)).statusCode).toBe(200);
      expect(seen).toEqual([{ body: JSON.parse(delivery.body), contentType: "application/json" }]);
    });
  });

  describe("the rest of the app keeps Fastify's parsing", () => {
    async function appWithJsonRoute() {
      const { app, seen } = await webhookApp();
      const bodies: unknown[] = [];
      app.post("/json", async (request) => {
        bodies.push(request.body);
        return { received: request.body };
      });
      return { app, seen, bodies };
    }

    it("parses JSON on a route beside the webhook route", async () => {
      const { app, bodies } = await appWithJsonRoute();
      const response = await app.inject({ method: "POST", url: "/json", payload: { hello: "world", n: 1 } });
      expect(response.statusCode).toBe(200);
      expect(bodies).toEqual([{ hello: "world", n: 1 }]);
      // And the webhook route still verifies.
      expect((await deliver(app, sign(secret, successPayload()))).statusCode).toBe(200);
    });

    it("keeps Fastify's __proto__ protection there", async () => {
      const { app, bodies } = await appWithJsonRoute();
      const response = await app.inject({
        method: "POST",
        url: "/json",
        payload: '{"a":1,"__proto__":{"polluted":true}}',
        headers: { "content-type": "application/json" },
      });
      expect(response.statusCode).toBe(400);
      expect(bodies).toHaveLength(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("does not verify routes that did not opt in, and they cannot read request.colivara", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      const reached = vi.fn();
      app.post("/plain", async (request) => {
        reached(request.body);
        return { webhook: request.colivara.id };
      });
      const response = await deliver(app, sign(secret, successPayload()), "/plain");
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ code: "body_already_parsed" });
      expect(response.json().message).toMatch(/config: \{ colivara: true \}/);
      expect(reached).toHaveBeenCalledOnce();
    });

    it("fails closed on an opted-in route declared before the plugin was registered", async () => {
      const app = track(fastify());
      const sideEffect = vi.fn();
      app.post("/early", { config: { colivara: true } }, async (request) => {
        const { event } = request.colivara;
        sideEffect(event);
        return "handled";
      });
      await app.register(colivaraWebhooks, { secret });
      const response = await deliver(app, sign(newSecret(), successPayload()), "/early");
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ code: "body_already_parsed" });
      expect(response.json().message).toMatch(/register the plugin before declaring the route/);
      expect(sideEffect).not.toHaveBeenCalled();
    });
  });

  describe("limit", () => {
    async function limitedApp(options: ColivaraWebhookOptions, bodyLimit?: number, serverBodyLimit?: number) {
      const app = track(fastify(serverBodyLimit === undefined ? {} : { bodyLimit: serverBodyLimit }));
      await app.register(colivaraWebhooks, { onError: () => {}, ...options });
      app.post("/hook", { config: { colivara: true }, ...(bodyLimit ? { bodyLimit } : {}) }, async (request) => ({
        type: request.colivara.event.type,
      }));
      return app;
    }
    const ofSize = (bytes: number) => sign(secret, successPayload({ message: "m".repeat(bytes) }));

    it("defaults to the route's bodyLimit", async () => {
      const app = await limitedApp({ secret }, 4 * KiB);
      expect((await deliver(app, ofSize(2 * KiB))).statusCode).toBe(200);
      const response = await deliver(app, ofSize(5 * KiB));
      expect(response.statusCode).toBe(413);
      expect(errorOf(response).message).toContain(`${4 * KiB}-byte limit`);
    });

    it("defaults to Fastify's bodyLimit when it is below 1 MiB", async () => {
      const app = await limitedApp({ secret }, undefined, 8 * KiB);
      expect((await deliver(app, ofSize(6 * KiB))).statusCode).toBe(200);
      expect(errorOf(await deliver(app, ofSize(9 * KiB))).code).toBe("payload_too_large");
    });

    it("takes the limit option over a smaller route bodyLimit, and Fastify's parser accepts the replay", async () => {
      const app = await limitedApp({ secret, limit: "16kb" }, 1 * KiB);
      expect((await deliver(app, ofSize(8 * KiB))).statusCode).toBe(200);
      expect((await deliver(app, ofSize(17 * KiB))).statusCode).toBe(413);
    });
  });

  describe("handler map with path + on", () => {
    it("declares the route and answers 204 after the matching handler", async () => {
      const onSuccess = vi.fn();
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret, path: "/webhooks/colivara", on: { "upsert.success": onSuccess } });
      const delivery = sign(secret, successPayload({ name: "mapped.pdf" }));
      const response = await deliver(app, delivery, "/webhooks/colivara");
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe("");
      expect(onSuccess).toHaveBeenCalledWith(
        expect.objectContaining({ name: "mapped.pdf" }),
        expect.objectContaining({ id: delivery.id }),
      );
      // A type without a handler is acknowledged; a forgery reaches no handler.
      expect((await deliver(app, sign(secret, failPayload()), "/webhooks/colivara")).statusCode).toBe(204);
      expect((await deliver(app, sign(newSecret(), successPayload()), "/webhooks/colivara")).statusCode).toBe(401);
      expect(onSuccess).toHaveBeenCalledOnce();
    });

    it("answers 500 when a handler throws, reporting it through onError with the delivery", async () => {
      const onError = vi.fn();
      const failure = new Error("database down");
      const app = track(fastify());
      await app.register(colivaraWebhooks, {
        secret,
        path: "/hook",
        onError,
        on: {
          "upsert.fail": async () => {
            throw failure;
          },
        },
      });
      const delivery = sign(secret, failPayload());
      const response = await deliver(app, delivery);
      expect(response.statusCode).toBe(500);
      expect(errorOf(response).code).toBe("handler_failed");
      expect(response.body).not.toContain("database down");
      expect(onError).toHaveBeenCalledWith(failure, { webhook: expect.objectContaining({ id: delivery.id }) });
    });

    it("hands an unknown type to the catch-all", async () => {
      const unknown = vi.fn();
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret, path: "/hook", on: { unknown } });
      expect((await deliver(app, sign(secret, { type: "collection.created", name: "c" }))).statusCode).toBe(204);
      expect(unknown).toHaveBeenCalledWith(
        expect.objectContaining({ type: "unknown", originalType: "collection.created" }),
        expect.anything(),
      );
    });

    it("honours the register prefix like any plugin route", async () => {
      const onSuccess = vi.fn();
      const app = track(fastify());
      await app.register(
        async (scope) => {
          await scope.register(colivaraWebhooks, { secret, path: "/colivara", on: { "upsert.success": onSuccess } });
        },
        { prefix: "/webhooks" },
      );
      expect((await deliver(app, sign(secret, successPayload()), "/webhooks/colivara")).statusCode).toBe(204);
      expect(onSuccess).toHaveBeenCalledOnce();
    });
  });

  describe("dedupe (the receiver's default in-memory store)", () => {
    it("acknowledges a redelivery of a handled id without running the handler again", async () => {
      const { app, seen } = await webhookApp();
      const delivery = sign(secret, successPayload());
      expect((await deliver(app, delivery)).statusCode).toBe(200);
      const again = await deliver(app, delivery);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ duplicate: true });
      expect(seen).toHaveLength(1);
    });

    it("gives the id back when the route answers non-2xx, so the sender's retry runs", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      let calls = 0;
      app.post("/hook", { config: { colivara: true } }, async (_request, reply) => {
        calls++;
        return calls === 1 ? reply.code(503).send({ retry: true }) : { ok: true };
      });
      const delivery = sign(secret, failPayload());
      expect((await deliver(app, delivery)).statusCode).toBe(503);
      expect((await deliver(app, delivery)).statusCode).toBe(200);
      expect(calls).toBe(2);
    });
  });

  describe("scopes", () => {
    it("lets an inner scope verify its routes with its own secret, the outer registration the rest", async () => {
      const inner = newSecret();
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      app.post("/outer", { config: { colivara: true } }, async (request) => request.colivara.event.type);
      await app.register(async (scope) => {
        await scope.register(colivaraWebhooks, { secret: inner });
        scope.post("/inner", { config: { colivara: true } }, async (request) => request.colivara.event.type);
      });
      expect((await deliver(app, sign(secret, successPayload()), "/outer")).statusCode).toBe(200);
      expect((await deliver(app, sign(inner, successPayload()), "/outer")).statusCode).toBe(401);
      expect((await deliver(app, sign(inner, successPayload()), "/inner")).statusCode).toBe(200);
      expect((await deliver(app, sign(secret, successPayload()), "/inner")).statusCode).toBe(401);
    });

    it("gives an inner registration its own default limit, whatever the outer one raised", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret, limit: "4mb" });
      await app.register(async (scope) => {
        await scope.register(colivaraWebhooks, { secret, onError: () => {} });
        scope.post("/inner", { config: { colivara: true } }, async () => "ok");
      });
      app.post("/outer", { config: { colivara: true } }, async () => "ok");
      const big = sign(secret, successPayload({ message: "m".repeat(1536 * KiB) }));
      expect(errorOf(await deliver(app, big, "/inner")).code).toBe("payload_too_large");
      expect((await deliver(app, big, "/outer")).statusCode).toBe(200);
    });

    it("covers opted-in routes of child scopes registered after it", async () => {
      const app = track(fastify());
      await app.register(colivaraWebhooks, { secret });
      await app.register(async (scope) => {
        scope.post("/child", { config: { colivara: true } }, async (request) => request.colivara.id);
      });
      const delivery = sign(secret, successPayload());
      expect((await deliver(app, delivery, "/child")).body).toBe(delivery.id);
      expect((await deliver(app, sign(newSecret(), successPayload()), "/child")).statusCode).toBe(401);
    });
  });

  describe("over real HTTP", () => {
    async function listen(app: FastifyInstance): Promise<string> {
      await app.listen({ port: 0, host: "127.0.0.1" });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    }

    it("settles an upload the client aborted: the capture answers, the handler never runs", async () => {
      const { app, seen } = await webhookApp();
      const answered: Array<{ status: number; payload: unknown }> = [];
      app.addHook("onSend", async (_request, reply, payload) => {
        answered.push({ status: reply.statusCode, payload });
        return payload;
      });
      const base = await listen(app);
      await abortMidUpload(`${base}/hook`, sign(secret, successPayload()).headers);
      // The reader saw the abort and the request was answered (to a closed socket), not left hanging.
      await eventually(() => expect(answered).toHaveLength(1));
      expect(answered[0]?.status).toBe(400);
      expect(JSON.parse(String(answered[0]?.payload)).error.code).toBe("invalid_payload");
      expect(seen).toHaveLength(0);
      expect((await fetch(`${base}/hook`, { method: "POST", ...sign(secret, successPayload()) })).status).toBe(200);
    });

    it("enforces the limit while reading an upload without Content-Length (chunked)", async () => {
      const { app, seen } = await webhookApp({ secret, limit: "8kb", onError: () => {} });
      const base = await listen(app);
      const delivery = sign(secret, successPayload({ message: "m".repeat(64 * KiB) }));
      const bytes = new TextEncoder().encode(delivery.body);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 4 * KiB) {
            controller.enqueue(bytes.subarray(offset, offset + 4 * KiB));
          }
          controller.close();
        },
      });
      const response = await fetch(`${base}/hook`, {
        method: "POST",
        body,
        headers: delivery.headers,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
      expect(seen).toHaveLength(0);
      // A chunked delivery under the limit is verified.
      const small = sign(secret, successPayload());
      const ok = await fetch(`${base}/hook`, {
        method: "POST",
        body: new Blob([small.body]).stream(),
        headers: small.headers,
        duplex: "half",
      } as RequestInit);
      expect(ok.status).toBe(200);
    });
  });
});

describe("packaging", () => {
  it("is a fastify-plugin: the default and named exports are the same function", () => {
    expect(named).toBe(colivaraWebhooks);
    expect((colivaraWebhooks as unknown as Record<symbol, unknown>)[Symbol.for("skip-override")]).toBe(true);
    expect((colivaraWebhooks as unknown as Record<symbol, unknown>)[Symbol.for("fastify.display-name")]).toBe(
      "@colivara/webhooks-fastify",
    );
  });

  it("registers from CommonJS with require() of the built package", async () => {
    const require = createRequire(import.meta.url);
    const cjs = require("../dist/index.cjs") as { default: FastifyPluginAsync<ColivaraWebhookOptions> };
    const app = track(fastify5());
    await app.register(cjs as never, { secret, path: "/hook", on: {} });
    expect((await deliver(app, sign(secret, successPayload()))).statusCode).toBe(204);
    expect(cjs.default).toBeTypeOf("function");
  });

  it("exports the error class of the core", () => {
    expect(new WebhookVerificationError("invalid_signature", "x").status).toBe(401);
  });
});

describe("types", () => {
  it("types request.colivara and config.colivara through declaration merging", () => {
    const app = fastify5();
    app.post("/hook", { config: { colivara: true } }, async (request) => {
      expectTypeOf(request.colivara).toEqualTypeOf<VerifiedWebhook>();
      const { event } = request.colivara;
      if (event.type === "upsert.success") expectTypeOf(event.num_pages).toBeNumber();
      if (event.type === "upsert.fail") expectTypeOf(event.error).toBeString();
      if (event.type === "unknown") expectTypeOf(event.originalType).toBeString();
      return null;
    });
    // @ts-expect-error config.colivara is a boolean
    app.post("/bad", { config: { colivara: "yes" } }, async () => null);
    expectTypeOf<FastifyRequest["colivara"]>().toEqualTypeOf<VerifiedWebhook>();
    expectTypeOf(colivaraWebhooks).toEqualTypeOf<FastifyPluginAsync<ColivaraWebhookOptions>>();
    expectTypeOf<ColivaraWebhookOptions>().toHaveProperty("path");
    void app.close();
  });
});
