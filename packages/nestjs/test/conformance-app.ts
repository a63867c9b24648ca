// The conformance app (see test/conformance/suite.ts) as a Nest app, on platform-express or
// platform-fastify, built with @nestjs/testing or NestFactory: the plain form (`@ColivaraWebhook()`
// routes) on the verify, metadata and parsed-first paths, the module form (`@OnColivaraEvent()`)
// on handlers. Nest and the package come in as modules (`NestBundle`), so the version matrix
// (test/matrix/nest10) builds the same app with Nest 10; decorators are therefore applied as
// the functions they are, in the order TypeScript applies them.
import "reflect-metadata";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { VerifiedWebhook } from "@colivara/webhooks";
import type { INestApplication } from "@nestjs/common";
import { ConformanceMetadata, createHandledLog } from "../../../test/conformance/handled-log.js";
import { type ConformanceApp, DEFAULT_PATHS } from "../../../test/conformance/suite.js";

/** Nest's packages and ours, of one Nest major. */
export interface NestBundle {
  common: typeof import("@nestjs/common");
  core: typeof import("@nestjs/core");
  testing: typeof import("@nestjs/testing");
  platformExpress: typeof import("@nestjs/platform-express");
  platformFastify: typeof import("@nestjs/platform-fastify");
  express: typeof import("express");
  colivara: typeof import("../src/index.js");
}

export type Platform = "express" | "fastify";
/** `testing`: Test.createTestingModule().compile() then createNestApplication(); `factory`: NestFactory.create. */
export type Creation = "testing" | "factory";
const PARSED_FIRST = DEFAULT_PATHS.parsedFirst as string;
type Decorator = MethodDecorator | ClassDecorator;

/** Applies `decorators` to a method as TypeScript does (the last one first). */
function decorate(target: { prototype: object }, key: string, decorators: Decorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key) as PropertyDescriptor;
  const result = Reflect.decorate(decorators as MethodDecorator[], target.prototype, key, descriptor);
  Object.defineProperty(target.prototype, key, result ?? descriptor);
}
const param =
  (index: number, decorator: ParameterDecorator): MethodDecorator =>
  (target, key) =>
    decorator(target, key, index);

/** A JSON parser the app put on the HTTP instance before Nest: it reads the parsed-first route's body first. */
function adapterWithParserFirst(nest: NestBundle, platform: Platform) {
  if (platform === "express") {
    const instance = nest.express();
    const json = nest.express.json();
    // A name of its own: Nest skips its global parser when it finds one named jsonParser.
    instance.use(PARSED_FIRST, (req, res, next) => json(req, res, next));
    return new nest.platformExpress.ExpressAdapter(instance);
  }
  const adapter = new nest.platformFastify.FastifyAdapter();
  adapter.getInstance().addHook("onRequest", (request, _reply, done) => {
    if (!request.url.startsWith(PARSED_FIRST)) return done();
    const raw = request.raw as IncomingMessage & { _body?: boolean };
    raw.on("data", () => {});
    raw.on("end", () => {
      raw._body = true;
      done();
    });
  });
  return adapter;
}

/** The app's controller and handler provider, decorated with `nest`'s decorators. */
function appClasses(nest: NestBundle, log: ReturnType<typeof createHandledLog>) {
  const { Body, Controller, Get, HttpCode, Injectable, Post } = nest.common;
  const { ColivaraDelivery, ColivaraWebhook, OnColivaraEvent } = nest.colivara;
  const { record, recordTyped, on } = log;
  class WebhooksController {
    verify(webhook: VerifiedWebhook) {
      record("verify", webhook);
      return { id: webhook.id, type: webhook.event.type };
    }
    metadata(webhook: VerifiedWebhook) {
      // Without a Register declaration the delivery is untyped: the suite checks the value.
      recordTyped(webhook as Parameters<typeof recordTyped>[0]);
      return { id: webhook.id, type: webhook.event.type };
    }
    parsedFirst(webhook: VerifiedWebhook) {
      record("verify", webhook);
    }
    echo(body: unknown) {
      return body;
    }
    health() {
      return "ok";
    }
  }
  const webhook = (path: string, method: keyof WebhooksController) =>
    decorate(WebhooksController, method, [Post(path), HttpCode(200), ColivaraWebhook(), param(0, ColivaraDelivery())]);
  webhook(DEFAULT_PATHS.verify, "verify");
  webhook(DEFAULT_PATHS.metadata, "metadata");
  webhook(PARSED_FIRST, "parsedFirst");
  decorate(WebhooksController, "echo", [Post(DEFAULT_PATHS.json), HttpCode(200), param(0, Body())]);
  decorate(WebhooksController, "health", [Get(DEFAULT_PATHS.health)]);
  Controller()(WebhooksController);

  class MappedHandlers {}
  const path = DEFAULT_PATHS.handlers;
  for (const type of ["upsert.success", "upsert.fail", "unknown"] as const) {
    Object.defineProperty(MappedHandlers.prototype, type, {
      value: (...args: unknown[]) => (on[type] as (...args: unknown[]) => unknown)(...args),
      writable: true,
      configurable: true,
    });
    decorate(MappedHandlers, type, [OnColivaraEvent(type, { path }) as MethodDecorator]);
  }
  Injectable()(MappedHandlers);
  return { WebhooksController, MappedHandlers };
}

/** Starts the conformance app on 127.0.0.1 (any port). */
export async function startNestApp(
  nest: NestBundle,
  platform: Platform,
  secret: string,
  creation: Creation = "testing",
): Promise<ConformanceApp> {
  const handledLog = createHandledLog();
  const { handled, deadLetter, log, records } = handledLog;
  const { WebhooksController, MappedHandlers } = appClasses(nest, handledLog);
  const { ColivaraWebhooksModule } = nest.colivara;
  class AppModule {}
  nest.common.Module({
    imports: [
      ColivaraWebhooksModule.forRoot({ secret, log }),
      ColivaraWebhooksModule.forRoot({ secret, path: DEFAULT_PATHS.handlers, onError: () => {}, log }),
      ColivaraWebhooksModule.forRoot({
        secret,
        path: DEFAULT_PATHS.metadata,
        metadata: ConformanceMetadata,
        deadLetter,
        onError: () => {},
      }),
      ColivaraWebhooksModule.forRoot({ secret, path: PARSED_FIRST, onError: () => {} }),
    ],
    controllers: [WebhooksController],
    providers: [MappedHandlers],
  })(AppModule);

  const adapter = adapterWithParserFirst(nest, platform);
  let app: INestApplication;
  if (creation === "factory") {
    app = await nest.core.NestFactory.create(AppModule, adapter, { logger: false });
  } else {
    const moduleRef = await nest.testing.Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication(adapter, { logger: false });
  }
  await app.listen(0, "127.0.0.1");
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths: DEFAULT_PATHS, handled, records, close: () => app.close() };
}
