// app.use(colivaraWebhook()) takes only the webhook path; a route's throw behind it reaches
// onError and frees the delivery for the retry.
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { eventually } from "../../../test/support/eventually.js";
import { type ColivaraEnv, colivaraWebhook } from "../src/index.js";

const secret = newSecret();
const post = (app: Hono<ColivaraEnv>, path: string, delivery: { body: string; headers: Record<string, string> }) =>
  app.request(path, { method: "POST", body: delivery.body, headers: delivery.headers });

describe("app.use(colivaraWebhook())", () => {
  function appWide(path?: string) {
    const app = new Hono<ColivaraEnv>();
    app.use(colivaraWebhook(path === undefined ? { secret } : { secret, path }));
    app.get("/health", (c) => c.json({ ok: true }));
    app.post("/api/items", async (c) => c.json({ received: await c.req.json() }));
    app.post(path ?? "/webhooks/colivara", (c) => c.json({ type: c.get("colivara").event.type }));
    return app;
  }

  it("leaves other routes alone and verifies the webhook path", async () => {
    const app = appWide();
    expect((await app.request("/health")).status).toBe(200);
    const items = await app.request("/api/items", { method: "POST", body: '{"a":1}' });
    expect(await items.json()).toEqual({ received: { a: 1 } });
    expect(await (await post(app, "/webhooks/colivara", sign(secret, successPayload()))).json()).toEqual({
      type: "upsert.success",
    });
    expect((await post(app, "/webhooks/colivara", sign(newSecret(), successPayload()))).status).toBe(401);
  });

  it("takes another path from the path option", async () => {
    const app = appWide("/hooks/cv");
    expect((await post(app, "/hooks/cv", sign(newSecret(), successPayload()))).status).toBe(401);
    expect((await post(app, "/webhooks/colivara", sign(newSecret(), successPayload()))).status).toBe(404);
  });
});

describe("a throwing route behind the middleware", () => {
  it("reaches onError with its cause and the retry runs", async () => {
    const onError = vi.fn();
    let runs = 0;
    const app = new Hono<ColivaraEnv>();
    app.post("/hook", colivaraWebhook({ secret, onError }), (c) => {
      runs += 1;
      if (runs === 1) throw new Error("index unavailable");
      return c.body(null, 204);
    });
    const delivery = sign(secret, successPayload());
    const failed = await post(app, "/hook", delivery);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain("index unavailable");
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: "index unavailable" });
    await eventually(async () => expect((await post(app, "/hook", delivery)).status).toBe(204));
    expect(runs).toBe(2);
  });
});

it("an unknown option throws invalid_config, naming the nearest known one", () => {
  expect(() => colivaraWebhook({ secret, readTimeout: 5 } as never)).toThrow(/"readTimeoutMs"/);
});
