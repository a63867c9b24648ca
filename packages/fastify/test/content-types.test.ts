// A genuine delivery is verified from its raw bytes whatever content type it carries: Svix
// signs bytes, not a media type. The webhook route must never answer 500 (Svix retries it
// to the end) because Fastify has no parser for the type, and every other route keeps
// Fastify's own parsing (415 for a type nobody registered). Fastify 4 and 5, real HTTP.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { failPayload } from "../../../test/conformance/deliveries.js";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import colivaraWebhooks, { type VerifiedWebhook } from "../src/index.js";
import { FASTIFY_VERSIONS } from "./fastify-versions.js";

const secret = newSecret();
const payload = JSON.stringify(failPayload());

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe.each(FASTIFY_VERSIONS)("%s", (_name, fastify) => {
  async function serve() {
    const seen: VerifiedWebhook[] = [];
    const app = fastify();
    apps.push(app);
    await app.register(colivaraWebhooks, { secret, log: false });
    app.post("/hook", { config: { colivara: true } }, async (request, reply) => {
      seen.push(request.colivara);
      return reply.code(204).send();
    });
    app.post("/other", async (request) => ({ body: request.body }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { seen, url: (path: string) => `http://127.0.0.1:${port}${path}` };
  }

  async function post(url: string, body: string, headers: Record<string, string>, contentType: string | undefined) {
    const sent: Record<string, string> = { ...headers };
    delete sent["content-type"];
    if (contentType !== undefined) sent["content-type"] = contentType;
    return fetch(url, { method: "POST", body: new TextEncoder().encode(body), headers: sent });
  }

  it.each([
    ["application/x-www-form-urlencoded"],
    ["text/plain"],
    ["text/plain; charset=utf-8"],
    ["application/octet-stream"],
    [undefined],
  ])("verifies a genuine delivery sent as %s and runs the handler with the JSON event", async (type) => {
    const { seen, url } = await serve();
    const { headers } = signIndependently(secret, payload);
    const response = await post(url("/hook"), payload, headers, type);
    expect(response.status).toBe(204);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.event).toMatchObject({ type: "upsert.fail", name: "broken.pdf" });
  });

  it("refuses a forged delivery with another content type as forged (401), before any parser", async () => {
    const { seen, url } = await serve();
    const { headers } = signIndependently(newSecret(), payload);
    const response = await post(url("/hook"), payload, headers, "application/x-www-form-urlencoded");
    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("leaves other routes to Fastify: its own 415 for a type nobody parses, JSON parsed as before", async () => {
    const { url } = await serve();
    const plain = fastify();
    apps.push(plain);
    plain.post("/other", async (request) => ({ body: request.body }));
    const expected = await plain.inject({
      method: "POST",
      url: "/other",
      payload: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(expected.statusCode).toBe(415);
    const form = await post(url("/other"), "a=1", {}, "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    expect((await form.json()).code).toBe(expected.json().code);
    const untyped = await post(url("/other"), "a=1", {}, undefined);
    expect(untyped.status).toBe(415);
    const json = await post(url("/other"), '{"a":1}', {}, "application/json");
    expect(await json.json()).toEqual({ body: { a: 1 } });
  });
});
