// A verified route's own failures: the plugin sees them (route-level error handling), so they
// reach onError, answer 500 without their message and free the delivery for the retry.
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { eventually } from "../../../test/support/eventually.js";
import colivaraWebhooks from "../src/index.js";
import { FASTIFY_VERSIONS } from "./fastify-versions.js";

const secret = newSecret();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe.each(FASTIFY_VERSIONS)("%s", (_name, fastify) => {
  async function failingApp() {
    const onError = vi.fn();
    const runs: string[] = [];
    const app = fastify();
    apps.push(app);
    await app.register(colivaraWebhooks, { secret, onError });
    app.post("/hook", { config: { colivara: true } }, async (request, reply) => {
      runs.push(request.colivara.id);
      if (runs.length === 1) throw new Error(`queue down ${secret}`);
      return reply.code(204).send();
    });
    app.get("/boom", async () => {
      throw new Error("not a webhook route");
    });
    return { app, onError, runs };
  }

  it("a throwing route reaches onError, answers 500 without its message, and the retry runs", async () => {
    const { app, onError, runs } = await failingApp();
    const delivery = sign(secret, successPayload());
    const post = () => app.inject({ method: "POST", url: "/hook", payload: delivery.body, headers: delivery.headers });
    const failed = await post();
    expect(failed.statusCode).toBe(500);
    expect(failed.json().error.code).toBe("handler_failed");
    expect(failed.body).not.toContain("queue down");
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: expect.stringContaining("queue down") });
    expect(onError.mock.calls[0]?.[1]?.webhook?.id).toBe(delivery.headers["svix-id"]);
    await eventually(async () => expect((await post()).statusCode).toBe(204));
    expect(runs).toHaveLength(2);
  });

  it("leaves the errors of other routes to the app's error handling", async () => {
    const { app, onError } = await failingApp();
    const response = await app.inject({ method: "GET", url: "/boom" });
    expect(response.statusCode).toBe(500);
    expect(response.json().message).toBe("not a webhook route");
    expect(onError).not.toHaveBeenCalled();
  });

  it("keeps a route's own errorHandler, and still frees the delivery", async () => {
    const onError = vi.fn();
    const app = fastify();
    apps.push(app);
    await app.register(colivaraWebhooks, { secret, onError });
    let runs = 0;
    app.post(
      "/hook",
      {
        config: { colivara: true },
        errorHandler: (_error, _request, reply) => {
          reply.code(503).send({ mine: true });
        },
      },
      async () => {
        runs += 1;
        if (runs === 1) throw new Error("first run fails");
        return { ok: true };
      },
    );
    const delivery = sign(secret, successPayload());
    const post = () => app.inject({ method: "POST", url: "/hook", payload: delivery.body, headers: delivery.headers });
    expect((await post()).json()).toEqual({ mine: true });
    await eventually(async () => expect((await post()).statusCode).toBe(200));
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "handler_failed" });
  });

  it("takes Fastify's register options (prefix) without treating them as its own", async () => {
    const app = fastify();
    apps.push(app);
    await app.register(
      async (scope) => {
        await scope.register(colivaraWebhooks, { secret, prefix: "/ignored" } as never);
        scope.post("/hook", { config: { colivara: true } }, async (request) => ({ id: request.colivara.id }));
      },
      { prefix: "/v1" },
    );
    const delivery = sign(secret, successPayload());
    const response = await app.inject({
      method: "POST",
      url: "/v1/hook",
      payload: delivery.body,
      headers: delivery.headers,
    });
    expect(response.json()).toEqual({ id: delivery.headers["svix-id"] });
  });

  it("an unknown option fails register, naming the nearest known one", async () => {
    const app = fastify();
    apps.push(app);
    await expect(app.register(colivaraWebhooks, { secret, tolerance: 60 } as never)).rejects.toThrow(
      /"toleranceSeconds"/,
    );
  });
});
