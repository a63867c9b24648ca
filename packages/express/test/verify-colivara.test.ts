// In-process tests of the middleware, through supertest (as Express users test their apps):
// each request goes to the app itself, with deliveries signed by the real svix package.
import express from "express";
import request from "supertest";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type VerifiedWebhook, verifyColivara } from "../src/index.js";

const secret = newSecret();

/** POSTs a delivery's exact body and headers to the app's /hook route. */
function post(app: express.Express, delivery: Pick<Delivery, "body" | "headers">) {
  return request(app).post("/hook").set(delivery.headers).send(delivery.body);
}

describe("configuration fails at start-up", () => {
  it("throws invalid_config when no secret is configured", () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", "");
    expect(() => verifyColivara()).toThrow(expect.objectContaining({ code: "invalid_config" }));
    vi.unstubAllEnvs();
  });

  it("reads COLIVARA_WEBHOOK_SECRET by default", () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", secret);
    expect(typeof verifyColivara()).toBe("function");
    vi.unstubAllEnvs();
  });

  it.each([
    [{ secret: "whsec_c2hvcnQ=" }, /24 bytes/],
    [{ secret, limit: -1 }, /limit/],
    [{ secret, limit: "lots" }, /limit/],
    [{ secret, on: { "upsert.sucess": () => {} } }, /upsert\.sucess/],
    [{ secret, on: { "upsert.fail": "nope" } }, /must be a function/],
    [{ secret, onError: 3 }, /onError/],
    [{ secret, toleranceSeconds: -5 }, /toleranceSeconds/],
  ])("rejects %j", (options, message) => {
    expect(() => verifyColivara(options as never)).toThrow(message);
  });
});

describe("raw bytes from wherever Express left them", () => {
  it("uses the Buffer from express.raw() mounted first", async () => {
    const app = express();
    app.post("/hook", express.raw({ type: "*/*" }), verifyColivara({ secret }), (req, res) => {
      res.json({ type: req.colivara.event.type });
    });
    const response = await post(app, sign(secret, successPayload()));
    expect(response.body).toEqual({ type: "upsert.success" });
  });

  it("uses the string from express.text() mounted first", async () => {
    const app = express();
    app.post("/hook", express.text({ type: "*/*" }), verifyColivara({ secret }), (req, res) => {
      res.json({ type: req.colivara.event.type });
    });
    const response = await post(app, sign(secret, failPayload({ name: "naïve – ünïcode.pdf" })));
    expect(response.body).toEqual({ type: "upsert.fail" });
  });

  it("uses req.rawBody kept by a json parser's verify hook", async () => {
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as unknown as { rawBody: Buffer }).rawBody = buf;
        },
      }),
    );
    app.post("/hook", verifyColivara({ secret }), (req, res) => {
      res.json({ type: req.colivara.event.type });
    });
    const response = await post(app, sign(secret, successPayload()));
    expect(response.body).toEqual({ type: "upsert.success" });
  });

  it("enforces the limit on bytes a raw parser already captured", async () => {
    const app = express();
    app.post("/hook", express.raw({ type: "*/*", limit: "5mb" }), verifyColivara({ secret, limit: "1kb" }), (_q, s) => {
      s.sendStatus(200);
    });
    const response = await post(app, sign(secret, successPayload({ message: "m".repeat(2000) })));
    expect(response.status).toBe(413);
  });

  it("explains the fix when express.json() consumed the body", async () => {
    const onError = vi.fn();
    const app = express();
    app.use(express.json());
    app.post("/hook", verifyColivara({ secret, onError }), (_req, res) => {
      res.sendStatus(200);
    });
    const response = await post(app, sign(secret, successPayload()));
    expect(response.status).toBe(500);
    const { error } = response.body as { error: { code: string; message: string } };
    expect(error.code).toBe("body_already_parsed");
    expect(error.message).toContain("express.json()");
    expect(error.message).toContain("express.raw(");
    expect(onError).toHaveBeenCalledOnce();
  });
});

describe("responses", () => {
  it("answers 405 with Allow: POST when mounted with app.use", async () => {
    const app = express();
    app.use("/hook", verifyColivara({ secret }));
    app.all("/hook", (_req, res) => {
      res.sendStatus(200);
    });
    const response = await request(app).put("/hook").send("{}");
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe("POST");
  });

  it("reports a throwing handler through onError with the delivery, and answers 500", async () => {
    const onError = vi.fn();
    const failure = new Error("database down");
    const app = express();
    app.post(
      "/hook",
      verifyColivara({
        secret,
        onError,
        on: {
          "upsert.success": () => {
            throw failure;
          },
        },
      }),
    );
    const delivery = sign(secret, successPayload());
    const response = await post(app, delivery);
    expect(response.status).toBe(500);
    expect(response.text).not.toContain("database down");
    expect(onError).toHaveBeenCalledWith(failure, { webhook: expect.objectContaining({ id: delivery.id }) });
  });

  it("acknowledges a known type that has no handler in the map", async () => {
    const app = express();
    app.post("/hook", verifyColivara({ secret, on: { "upsert.success": () => {} } }));
    expect((await post(app, sign(secret, failPayload()))).status).toBe(204);
  });

  it("waits for an async handler before answering", async () => {
    const seen: string[] = [];
    const app = express();
    app.post(
      "/hook",
      verifyColivara({
        secret,
        on: {
          "upsert.success": async (event) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            seen.push(event.name);
          },
        },
      }),
    );
    const response = await post(app, sign(secret, successPayload({ name: "slow.pdf" })));
    expect(response.status).toBe(204);
    expect(seen).toEqual(["slow.pdf"]);
  });
});

describe("types", () => {
  it("types req.colivara through Request augmentation", () => {
    const handler: express.RequestHandler = (req) => {
      expectTypeOf(req.colivara).toEqualTypeOf<VerifiedWebhook>();
      const { event } = req.colivara;
      if (event.type === "upsert.success") expectTypeOf(event.num_pages).toBeNumber();
    };
    expect(typeof handler).toBe("function");
  });
});
