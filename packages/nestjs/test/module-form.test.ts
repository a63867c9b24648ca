// The module form: ColivaraWebhooksModule.forRoot/forRootAsync answers its path itself and
// runs the @OnColivaraEvent() provider methods, on both platforms, over the app's own server.
import { memoryStore, type UpsertSuccessEvent, type VerifiedWebhook } from "@colivara/webhooks";
import { Body, Controller, HttpCode, Inject, Injectable, Module, Post, Scope } from "@nestjs/common";
import { ConfigModule, ConfigService } from "@nestjs/config";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { ColivaraWebhooksModule, OnColivaraEvent } from "../src/index.js";
import { createApp, platforms, successBody, type TestApp } from "./support.js";

const secret = newSecret();
const PATH = "/webhooks/colivara";

/** What the decorated handlers saw, and a switch that makes them throw. */
class Seen {
  readonly deliveries: { id: string; name: string; pages: number }[] = [];
  failNext = 0;
}

@Injectable()
class DocumentEvents {
  constructor(@Inject(Seen) private readonly seen: Seen) {}

  @OnColivaraEvent("upsert.success")
  ready(event: UpsertSuccessEvent, webhook: VerifiedWebhook) {
    expectTypeOf(event.num_pages).toEqualTypeOf<number>();
    if (this.seen.failNext > 0) {
      this.seen.failNext--;
      throw new Error("database down");
    }
    this.seen.deliveries.push({ id: webhook.id, name: event.name, pages: event.num_pages });
  }
}

@Controller()
class EchoController {
  @Post("echo")
  @HttpCode(200)
  echo(@Body() body: unknown) {
    return { parsed: body };
  }
}

function appModule(seen: Seen) {
  @Module({ controllers: [EchoController], providers: [{ provide: Seen, useValue: seen }, DocumentEvents] })
  class AppModule {}
  return AppModule;
}

describe.each(platforms)("module form on platform-%s", (platform) => {
  let test: TestApp | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  async function start(options: Parameters<typeof ColivaraWebhooksModule.forRoot>[0] = {}) {
    const seen = new Seen();
    test = await createApp(platform, [
      appModule(seen),
      ColivaraWebhooksModule.forRoot({ secret, log: false, ...options }),
    ]);
    return { seen, test };
  }

  it("runs the handler with the verified, typed event and answers 204", async () => {
    const { seen, test } = await start();
    const delivery = signIndependently(secret, successBody({ name: "typed.pdf" }));
    const response = await test.post(PATH, delivery);
    expect(response.status).toBe(204);
    expect(seen.deliveries).toEqual([{ id: delivery.headers["svix-id"], name: "typed.pdf", pages: 12 }]);
  });

  it("refuses a forgery with 401 invalid_signature in the failure table's shape; the handler never runs", async () => {
    const { seen, test } = await start();
    const response = await test.post(PATH, signIndependently(newSecret(), successBody()));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: "invalid_signature", message: expect.any(String) } });
    expect(seen.deliveries).toEqual([]);
  });

  it("refuses a stale delivery with 401 timestamp_too_old", async () => {
    const { seen, test } = await start();
    const delivery = signIndependently(secret, successBody(), { timestamp: Math.floor(Date.now() / 1000) - 400 });
    const response = await test.post(PATH, delivery);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("timestamp_too_old");
    expect(seen.deliveries).toEqual([]);
  });

  it("answers a copy 200 duplicate without running the handler again", async () => {
    const { seen, test } = await start();
    const delivery = signIndependently(secret, successBody());
    expect((await test.post(PATH, delivery)).status).toBe(204);
    const again = await test.post(PATH, delivery);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true });
    expect(seen.deliveries).toHaveLength(1);
  });

  it("answers 500 handler_failed when the handler throws, reports it, and runs the retry", async () => {
    const reported: unknown[] = [];
    const { seen, test } = await start({ onError: (error) => reported.push(error) });
    seen.failNext = 1;
    const delivery = signIndependently(secret, successBody());
    const failed = await test.post(PATH, delivery);
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe("handler_failed");
    expect(JSON.stringify(failed.body)).not.toContain("database down");
    expect(reported).toEqual([expect.objectContaining({ message: "database down" })]);
    expect((await test.post(PATH, delivery)).status).toBe(204);
    expect(seen.deliveries).toHaveLength(1);
  });

  it("leaves the JSON parsing of the app's other routes to Nest", async () => {
    const { test } = await start();
    const response = await (await import("supertest"))
      .default(test.app.getHttpServer())
      .post("/echo")
      .set("content-type", "application/json")
      .send(JSON.stringify({ hello: "world" }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ parsed: { hello: "world" } });
  });

  it("serves another path, and nothing on the default one", async () => {
    const { seen, test } = await start({ path: "/hooks/docs" });
    const delivery = signIndependently(secret, successBody());
    expect((await test.post("/hooks/docs", delivery)).status).toBe(204);
    expect((await test.post(PATH, signIndependently(secret, successBody()))).status).toBe(404);
    expect(seen.deliveries).toHaveLength(1);
  });

  it("passes a dedupe store through: a copy sent to a second instance sharing it is a duplicate", async () => {
    const dedupe = memoryStore();
    const first = await start({ dedupe });
    const other = await createApp(platform, [
      appModule(new Seen()),
      ColivaraWebhooksModule.forRoot({ secret, dedupe, log: false }),
    ]);
    try {
      const delivery = signIndependently(secret, successBody());
      expect((await first.test.post(PATH, delivery)).status).toBe(204);
      const copy = await other.post(PATH, delivery);
      expect(copy.status).toBe(200);
      expect(copy.body).toEqual({ duplicate: true });
    } finally {
      await other.close();
    }
  });

  it("passes handOff through: 202 once stored, and the handlers do not run in the request", async () => {
    const stored: string[] = [];
    const seen = new Seen();
    @Module({ providers: [{ provide: Seen, useValue: seen }] })
    class NoHandlers {}
    test = await createApp(platform, [
      NoHandlers,
      ColivaraWebhooksModule.forRoot({
        secret,
        log: false,
        handOff: {
          enqueue: async (webhook) => {
            stored.push(webhook.id);
            return "stored";
          },
        },
      }),
    ]);
    const delivery = signIndependently(secret, successBody());
    expect((await test.post(PATH, delivery)).status).toBe(202);
    expect(stored).toEqual([delivery.headers["svix-id"]]);
  });

  it("passes requireHttps through: 403 https_required over plain HTTP", async () => {
    const { seen, test } = await start({ requireHttps: true });
    const response = await test.post(PATH, signIndependently(secret, successBody()));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("https_required");
    expect(seen.deliveries).toEqual([]);
  });

  it("takes its options from ConfigService with forRootAsync", async () => {
    const seen = new Seen();
    test = await createApp(platform, [
      appModule(seen),
      ColivaraWebhooksModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ COLIVARA_WEBHOOK_SECRET: secret })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          secret: config.getOrThrow<string>("COLIVARA_WEBHOOK_SECRET"),
          log: false,
        }),
      }),
    ]);
    expect((await test.post(PATH, signIndependently(secret, successBody()))).status).toBe(204);
    expect(seen.deliveries).toHaveLength(1);
  });

  it("runs every handler declared for a type, in turn", async () => {
    const order: string[] = [];
    @Injectable()
    class Both {
      @OnColivaraEvent("upsert.success")
      first() {
        order.push("first");
      }
      @OnColivaraEvent("upsert.success")
      @OnColivaraEvent("upsert.fail")
      second() {
        order.push("second");
      }
    }
    @Module({ providers: [Both] })
    class App {}
    test = await createApp(platform, [App, ColivaraWebhooksModule.forRoot({ secret, log: false })]);
    expect((await test.post(PATH, signIndependently(secret, successBody()))).status).toBe(204);
    expect(order).toEqual(["first", "second"]);
  });
});

describe.each(platforms)("bad configuration throws at module init on platform-%s", (platform) => {
  const init = (imports: Parameters<typeof createApp>[1]) => createApp(platform, imports);

  it.each([
    [{ secret: "whsec_c2hvcnQ=" }, /24 bytes/],
    [{ secret, dedup: false }, /Did you mean "dedupe"/],
    [{ secret, limit: "lots" }, /limit/],
    [{ secret, on: {} }, /@OnColivaraEvent/],
  ])("%j", async (options, message) => {
    await expect(init([ColivaraWebhooksModule.forRoot(options as never)])).rejects.toThrow(message);
  });

  it("a request-scoped handler", async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @OnColivaraEvent("upsert.fail")
      failed() {}
    }
    @Module({ providers: [PerRequest] })
    class App {}
    await expect(init([App, ColivaraWebhooksModule.forRoot({ secret })])).rejects.toThrow(/request-scoped/);
  });

  it("a handler without a path when the module is registered twice", async () => {
    @Injectable()
    class Unbound {
      @OnColivaraEvent("upsert.success")
      ready() {}
    }
    @Module({ providers: [Unbound] })
    class App {}
    const twice = [ColivaraWebhooksModule.forRoot({ secret }), ColivaraWebhooksModule.forRoot({ secret, path: "/b" })];
    await expect(init([App, ...twice])).rejects.toThrow(/pass \{ path \}/);
  });

  it("the same path registered twice", async () => {
    const handOff = { enqueue: async () => "stored" as const };
    const twice = [
      ColivaraWebhooksModule.forRoot({ secret, handOff }),
      ColivaraWebhooksModule.forRoot({ secret, handOff }),
    ];
    await expect(init(twice)).rejects.toThrow(/registered twice/);
  });
});

describe.each(platforms)("a registration with nothing to serve on platform-%s", (platform) => {
  it("throws at module init instead of verifying deliveries into a 404", async () => {
    await expect(createApp(platform, [ColivaraWebhooksModule.forRoot({ secret })])).rejects.toThrow(
      /no @OnColivaraEvent\(\) handler, no handOff and no @ColivaraWebhook\(\) route/,
    );
  });
});
