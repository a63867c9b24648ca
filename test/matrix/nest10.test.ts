// The version matrix's other Nest major: the NestJS module's conformance app (packages/nestjs/test)
// built with Nest 10 (Express 4, Fastify 4) from test/matrix/nest10, driven over real HTTP by
// the shared conformance suite. NestFactory.create hands the module its adapter before any
// provider exists on every version; under @nestjs/testing, Nest 10 only sets it in
// createNestApplication() and announces nothing, so on platform-express the capture is mounted
// at module init, after Nest's body parsers: what that means is pinned down here.
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NestBundle } from "../../packages/nestjs/test/conformance-app.js";
import { newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { type AdapterFactory, runConformanceSuite } from "../conformance/suite.js";

const copy = fileURLToPath(new URL("./nest10/src-copy/", import.meta.url));
let nest: NestBundle;
let startNestApp: typeof import("../../packages/nestjs/test/conformance-app.js").startNestApp;

beforeAll(async () => {
  rmSync(copy, { recursive: true, force: true });
  cpSync(fileURLToPath(new URL("../../packages/nestjs/src/", import.meta.url)), copy, { recursive: true });
  ({ nest10: nest } = await import("./nest10/bundle.js"));
  ({ startNestApp } = await import("../../packages/nestjs/test/conformance-app.js"));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const factory = (name: string, start: (secret: string) => ReturnType<typeof startNestApp>): AdapterFactory => ({
  name,
  start: ({ secret }) => start(secret),
});

describe("Nest 10 is the version under test", () => {
  it("resolves @nestjs/core 10 and Express 4", async () => {
    expect(nest.core.NestFactory).toBeDefined();
    const { createRequire } = await import("node:module");
    const require = createRequire(new URL("./nest10/package.json", import.meta.url));
    expect(require("@nestjs/core/package.json").version).toMatch(/^10\./);
    expect(require("express/package.json").version).toMatch(/^4\./);
  });
});

runConformanceSuite(
  factory("nestjs 10 (platform-express, NestFactory)", (s) => startNestApp(nest, "express", s, "factory")),
);
runConformanceSuite(
  factory("nestjs 10 (platform-fastify, NestFactory)", (s) => startNestApp(nest, "fastify", s, "factory")),
);
runConformanceSuite(factory("nestjs 10 (platform-fastify, @nestjs/testing)", (s) => startNestApp(nest, "fastify", s)));

describe("nestjs 10 (platform-express, @nestjs/testing): the capture comes after Nest's body parsers", () => {
  const secret = newSecret();

  async function moduleApp(options: { rawBody?: boolean }) {
    const { common, testing, colivara } = nest;
    const seen: string[] = [];
    class Events {
      ready(event: { name: string }) {
        seen.push(event.name);
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Events.prototype, "ready") as PropertyDescriptor;
    colivara.OnColivaraEvent("upsert.success")(Events.prototype, "ready", descriptor);
    common.Injectable()(Events);
    const moduleRef = await testing.Test.createTestingModule({
      imports: [colivara.ColivaraWebhooksModule.forRoot({ secret, log: false })],
      providers: [Events],
    }).compile();
    const app = moduleRef.createNestApplication(new nest.platformExpress.ExpressAdapter(), {
      logger: false,
      ...options,
    });
    await app.listen(0, "127.0.0.1");
    const { port } = app.getHttpServer().address() as { port: number };
    const post = (delivery: ReturnType<typeof sign>) =>
      fetch(`http://127.0.0.1:${port}/webhooks/colivara`, {
        method: "POST",
        body: delivery.body,
        headers: delivery.headers,
      });
    return { app, seen, post };
  }

  it("answers a JSON delivery 500 body_already_parsed, naming the fix; the handler never runs", async () => {
    const { app, seen, post } = await moduleApp({});
    try {
      const response = await post(sign(secret, successPayload({ name: "late.pdf" })));
      expect(response.status).toBe(500);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("body_already_parsed");
      // The fix in Nest's words, not the Express middleware's.
      expect(error.message).toContain("{ rawBody: true }");
      expect(error.message).not.toContain("verifyColivara()");
      expect(seen).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("verifies it from req.rawBody with { rawBody: true }", async () => {
    const { app, seen, post } = await moduleApp({ rawBody: true });
    try {
      const delivery = sign(secret, successPayload({ name: "raw.pdf" }));
      expect((await post(delivery)).status).toBe(204);
      expect((await post(sign(newSecret(), successPayload()))).status).toBe(401);
      expect(seen).toEqual(["raw.pdf"]);
    } finally {
      await app.close();
    }
  });
});
