// A handler map (or hand-off) registered without a path and without any route that opts in
// has nothing to serve it: the app refuses to start, naming the fix, instead of answering
// every delivery 404.
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { newSecret } from "../../../test/conformance/deliveries.js";
import colivaraWebhooks from "../src/index.js";

const secret = newSecret();
const on = { "upsert.success": () => {} };

describe("a handler map with no route", () => {
  it("fails at ready with invalid_config, naming path and the opt-in", async () => {
    const app = Fastify();
    await app.register(colivaraWebhooks, { secret, on });
    await expect(app.ready()).rejects.toMatchObject({
      code: "invalid_config",
      message: expect.stringContaining("path"),
    });
  });

  it("starts with its path, or with a route that opts in", async () => {
    const withPath = Fastify();
    await withPath.register(colivaraWebhooks, { secret, on, path: "/webhooks/colivara" });
    await expect(withPath.ready()).resolves.toBeDefined();
    await withPath.close();
    const withRoute = Fastify();
    await withRoute.register(colivaraWebhooks, { secret, on });
    withRoute.post("/hooks", { config: { colivara: true } }, async () => ({}));
    await expect(withRoute.ready()).resolves.toBeDefined();
    await withRoute.close();
  });

  it("leaves a plain registration (no on, no handOff) alone", async () => {
    const app = Fastify();
    await app.register(colivaraWebhooks, { secret });
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });
});
