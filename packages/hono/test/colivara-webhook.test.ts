import { Hono } from "hono";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type ColivaraEnv, colivaraWebhook, type VerifiedWebhook } from "../src/index.js";

const secret = newSecret();
const post = (app: Hono<ColivaraEnv>, delivery: { body: string; headers: Record<string, string> }, path = "/hook") =>
  app.request(path, { method: "POST", body: delivery.body, headers: delivery.headers });

describe("colivaraWebhook", () => {
  it("throws invalid_config at creation for bad options", () => {
    expect(() => colivaraWebhook({ secret: "whsec_" })).toThrow(expect.objectContaining({ code: "invalid_config" }));
    expect(() => colivaraWebhook({ secret, limit: 0 })).toThrow(/limit/);
  });

  it("sets a typed c.get('colivara') and keeps c.req.text() usable in the route", async () => {
    const app = new Hono<ColivaraEnv>();
    app.post("/hook", colivaraWebhook({ secret }), async (c) => {
      expectTypeOf(c.get("colivara")).toEqualTypeOf<VerifiedWebhook>();
      const { event } = c.get("colivara");
      return c.json({ type: event.type, bytes: (await c.req.text()).length });
    });
    const delivery = sign(secret, successPayload());
    const response = await post(app, delivery);
    expect(await response.json()).toEqual({ type: "upsert.success", bytes: delivery.body.length });
  });

  it("recovers the exact bytes when c.req.json() ran first (Hono caches the text)", async () => {
    const app = new Hono<ColivaraEnv>();
    app.post(
      "/hook",
      async (c, next) => {
        await c.req.json();
        await next();
      },
      colivaraWebhook({ secret }),
      (c) => c.json({ type: c.get("colivara").event.type }),
    );
    const response = await post(app, sign(secret, failPayload({ name: "spaced  out.pdf" })));
    expect(await response.json()).toEqual({ type: "upsert.fail" });
  });

  it("names the fix when the raw Request was consumed first", async () => {
    const app = new Hono<ColivaraEnv>();
    app.post(
      "/hook",
      async (c, next) => {
        await c.req.raw.text();
        await next();
      },
      colivaraWebhook({ secret, onError: () => {} }),
      (c) => c.body(null, 200),
    );
    const response = await post(app, sign(secret, successPayload()));
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("body_already_parsed");
    expect(error.message).toContain("before colivaraWebhook()");
  });

  it("answers itself with a handler map", async () => {
    const seen: string[] = [];
    const app = new Hono<ColivaraEnv>();
    app.post("/hook", colivaraWebhook({ secret, on: { "upsert.fail": (event) => void seen.push(event.error) } }));
    expect((await post(app, sign(secret, failPayload({ error: "boom" })))).status).toBe(204);
    expect(seen).toEqual(["boom"]);
  });

  it("processes a retry when the route answered non-2xx or threw, and a duplicate of a handled one is not re-run", async () => {
    let calls = 0;
    const app = new Hono<ColivaraEnv>();
    app.onError((_error, c) => c.text("failed", 500));
    app.post("/hook", colivaraWebhook({ secret }), (c) => {
      calls++;
      if (calls === 1) return c.text("try later", 503);
      if (calls === 2) throw new Error("transient");
      return c.body(null, 204);
    });
    const delivery = sign(secret, successPayload());
    expect((await post(app, delivery)).status).toBe(503);
    expect((await post(app, delivery)).status).toBe(500);
    expect((await post(app, delivery)).status).toBe(204);
    const duplicate = await post(app, delivery);
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toEqual({ duplicate: true });
    expect(calls).toBe(3);
  });

  it("verifies through Web Crypto when node:crypto is unavailable (Workers)", async () => {
    const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    try {
      const app = new Hono<ColivaraEnv>();
      app.post("/hook", colivaraWebhook({ secret }), (c) => c.json({ type: c.get("colivara").event.type }));
      expect(await (await post(app, sign(secret, successPayload()))).json()).toEqual({ type: "upsert.success" });
      expect((await post(app, sign(newSecret(), successPayload()))).status).toBe(401);
    } finally {
      spy.mockRestore();
    }
  });
});
