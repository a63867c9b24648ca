// The plain form: a controller route marked @ColivaraWebhook() runs only for a delivery the
// module verified, reads it with @ColivaraEvent(), and every failure answers from the table.
import { BadRequestException, Controller, HttpCode, Injectable, Module, Post } from "@nestjs/common";
import request from "supertest";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { ColivaraEvent, ColivaraWebhook, ColivaraWebhooksModule, OnColivaraEvent } from "../src/index.js";
import { createApp, platforms, successBody, type TestApp } from "./support.js";

const secret = newSecret();

/** What the route saw, and what it should do with the next delivery. */
const state = { names: [] as string[], throwNext: undefined as Error | undefined };

@Controller("webhooks")
class WebhooksController {
  @Post("colivara")
  @HttpCode(200)
  @ColivaraWebhook()
  receive(@ColivaraEvent() event: ColivaraEvent) {
    const error = state.throwNext;
    state.throwNext = undefined;
    if (error) throw error;
    if (event.type === "upsert.success") {
      expectTypeOf(event.num_pages).toEqualTypeOf<number>();
      state.names.push(event.name);
    }
    return { received: event.type };
  }

  @Post("elsewhere")
  @ColivaraWebhook()
  elsewhere(@ColivaraEvent() event: ColivaraEvent) {
    state.names.push(`elsewhere ${event.type}`);
  }
}

@Module({ controllers: [WebhooksController] })
class AppModule {}

describe.each(platforms)("plain form on platform-%s", (platform) => {
  let test: TestApp | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
    state.names = [];
    state.throwNext = undefined;
  });

  async function start(options: Parameters<typeof ColivaraWebhooksModule.forRoot>[0] = {}) {
    test = await createApp(platform, [AppModule, ColivaraWebhooksModule.forRoot({ secret, log: false, ...options })]);
    return test;
  }

  it("hands the route the verified, typed event; the route answers", async () => {
    const app = await start();
    const response = await app.post(
      "/webhooks/colivara",
      signIndependently(secret, successBody({ name: "plain.pdf" })),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: "upsert.success" });
    expect(state.names).toEqual(["plain.pdf"]);
  });

  it.each(["application/octet-stream", "text/plain", undefined])(
    "hands the route a genuine delivery sent as %s (Svix signs bytes, not a media type)",
    async (type) => {
      const app = await start();
      const delivery = signIndependently(secret, successBody({ name: "typed.bin" }));
      const { "content-type": _, ...headers } = delivery.headers;
      const response = await app.post("/webhooks/colivara", {
        body: Buffer.from(delivery.body),
        headers: type === undefined ? headers : { ...headers, "content-type": type },
      });
      expect(response.status).toBe(200);
      expect(state.names).toEqual(["typed.bin"]);
    },
  );

  it("refuses a forgery with 401 before the route", async () => {
    const app = await start();
    const response = await app.post("/webhooks/colivara", signIndependently(newSecret(), successBody()));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("invalid_signature");
    expect(state.names).toEqual([]);
  });

  it("answers a copy 200 duplicate without running the route again", async () => {
    const app = await start();
    const delivery = signIndependently(secret, successBody());
    expect((await app.post("/webhooks/colivara", delivery)).status).toBe(200);
    const again = await app.post("/webhooks/colivara", delivery);
    expect(again.body).toEqual({ duplicate: true });
    expect(state.names).toHaveLength(1);
  });

  it.each([
    ["an Error", new Error("database down")],
    ["a Nest HttpException", new BadRequestException("database down")],
  ])("answers 500 handler_failed (not Nest's shape) when the route throws %s; the retry runs", async (_, error) => {
    const reported: unknown[] = [];
    const app = await start({ onError: (thrown) => reported.push(thrown) });
    state.throwNext = error;
    const delivery = signIndependently(secret, successBody());
    const failed = await app.post("/webhooks/colivara", delivery);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: { code: "handler_failed", message: expect.any(String) } });
    expect(failed.text).not.toContain("database down");
    expect(reported).toEqual([error]);
    expect((await app.post("/webhooks/colivara", delivery)).status).toBe(200);
    expect(state.names).toHaveLength(1);
  });

  it("fails closed on a @ColivaraWebhook() route that is not at the module's path", async () => {
    const app = await start();
    const response = await app.post("/webhooks/elsewhere", signIndependently(secret, successBody()));
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe("invalid_config");
    expect(response.text).not.toMatch(/forRoot/);
    expect(state.names).toEqual([]);
  });

  it("verifies a route under the app's global prefix when the path includes it", async () => {
    test = await createApp(
      platform,
      [AppModule, ColivaraWebhooksModule.forRoot({ secret, log: false, path: "/api/webhooks/colivara" })],
      (app) => app.setGlobalPrefix("api"),
    );
    const response = await test.post(
      "/api/webhooks/colivara",
      signIndependently(secret, successBody({ name: "p.pdf" })),
    );
    expect(response.status).toBe(200);
    expect(state.names).toEqual(["p.pdf"]);
  });

  it("throws at module init when decorated handlers would answer the route's path instead", async () => {
    @Injectable()
    class Handlers {
      @OnColivaraEvent("upsert.success")
      ready() {}
    }
    @Module({ providers: [Handlers] })
    class WithHandlers {}
    await expect(
      createApp(platform, [AppModule, WithHandlers, ColivaraWebhooksModule.forRoot({ secret })]),
    ).rejects.toThrow(/Keep one of the two forms/);
  });
});

describe("platform-fastify: routes other than the webhook keep Fastify's parsers", () => {
  it("answers a type nobody parses with Fastify's own 415, through Nest's filter", async () => {
    const test = await createApp("fastify", [AppModule, ColivaraWebhooksModule.forRoot({ secret, log: false })]);
    try {
      const response = await request(test.app.getHttpServer())
        .post("/webhooks/elsewhere")
        .set("content-type", "application/octet-stream")
        .send(Buffer.from("abc"));
      expect(response.status).toBe(415);
      expect(response.body).toEqual({ statusCode: 415, message: "Unsupported Media Type" });
    } finally {
      await test.close();
    }
  });
});
