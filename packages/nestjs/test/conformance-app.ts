// The conformance app (see test/conformance/suite.ts) as a Nest app built with @nestjs/testing,
// on platform-express or platform-fastify: the plain form (`@ColivaraWebhook()` routes) on the
// verify, metadata and parsed-first paths, the module form (`@OnColivaraEvent()`) on handlers.
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { VerifiedWebhook } from "@colivara/webhooks";
import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  Module,
  type ModuleMetadata,
  Post,
} from "@nestjs/common";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import express from "express";
import { ConformanceMetadata, createHandledLog } from "../../../test/conformance/handled-log.js";
import { type ConformanceApp, DEFAULT_PATHS } from "../../../test/conformance/suite.js";
import { ColivaraDelivery, ColivaraWebhook, ColivaraWebhooksModule, OnColivaraEvent } from "../src/index.js";

export type Platform = "express" | "fastify";
const PARSED_FIRST = DEFAULT_PATHS.parsedFirst as string;

/** A JSON parser the app put on the HTTP instance before Nest: it reads the parsed-first route's body first. */
function adapterWithParserFirst(platform: Platform): ExpressAdapter | FastifyAdapter {
  if (platform === "express") {
    const instance = express();
    const json = express.json();
    // A name of its own: Nest skips its global parser when it finds one named jsonParser.
    instance.use(PARSED_FIRST, (req, res, next) => json(req, res, next));
    return new ExpressAdapter(instance);
  }
  const adapter = new FastifyAdapter();
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

/** Starts a Nest app from `imports` on 127.0.0.1 (any port); `adapter` defaults to the platform's own. */
export async function listen(
  platform: Platform,
  imports: NonNullable<ModuleMetadata["imports"]>,
  adapter?: ExpressAdapter | FastifyAdapter,
  options: { rawBody?: boolean } = {},
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const httpAdapter = adapter ?? (platform === "express" ? new ExpressAdapter() : new FastifyAdapter());
  const app = moduleRef.createNestApplication(httpAdapter, { logger: false, ...options });
  await app.listen(0, "127.0.0.1");
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

export async function startNestApp(platform: Platform, secret: string): Promise<ConformanceApp> {
  const { record, handled, on, recordTyped, deadLetter, log, records } = createHandledLog();
  type Typed = Parameters<typeof recordTyped>[0];

  @Controller()
  class WebhooksController {
    @Post(DEFAULT_PATHS.verify)
    @HttpCode(200)
    @ColivaraWebhook()
    verify(@ColivaraDelivery() webhook: VerifiedWebhook) {
      record("verify", webhook);
      return { id: webhook.id, type: webhook.event.type };
    }

    @Post(DEFAULT_PATHS.metadata)
    @HttpCode(200)
    @ColivaraWebhook()
    metadata(@ColivaraDelivery() webhook: VerifiedWebhook) {
      // Without a Register declaration the delivery is untyped: the suite checks the value.
      recordTyped(webhook as Typed);
      return { id: webhook.id, type: webhook.event.type };
    }

    @Post(PARSED_FIRST)
    @HttpCode(200)
    @ColivaraWebhook()
    parsedFirst(@ColivaraDelivery() webhook: VerifiedWebhook) {
      record("verify", webhook);
    }

    @Post(DEFAULT_PATHS.json)
    @HttpCode(200)
    echo(@Body() body: unknown) {
      return body;
    }

    @Get(DEFAULT_PATHS.health)
    health() {
      return "ok";
    }
  }

  const path = DEFAULT_PATHS.handlers;
  @Injectable()
  class MappedHandlers {
    @OnColivaraEvent("upsert.success", { path })
    success(...args: Parameters<NonNullable<typeof on>["upsert.success"] & object>) {
      return on["upsert.success"]?.(...args);
    }
    @OnColivaraEvent("upsert.fail", { path })
    fail(...args: Parameters<NonNullable<typeof on>["upsert.fail"] & object>) {
      return on["upsert.fail"]?.(...args);
    }
    @OnColivaraEvent("unknown", { path })
    unknown(...args: Parameters<NonNullable<typeof on>["unknown"] & object>) {
      return on.unknown?.(...args);
    }
  }

  @Module({ controllers: [WebhooksController], providers: [MappedHandlers] })
  class AppModule {}

  const { app, url } = await listen(
    platform,
    [
      AppModule,
      ColivaraWebhooksModule.forRoot({ secret, log }),
      ColivaraWebhooksModule.forRoot({ secret, path, onError: () => {}, log }),
      ColivaraWebhooksModule.forRoot({
        secret,
        path: DEFAULT_PATHS.metadata,
        metadata: ConformanceMetadata,
        deadLetter,
        onError: () => {},
      }),
      ColivaraWebhooksModule.forRoot({ secret, path: PARSED_FIRST, onError: () => {} }),
    ],
    adapterWithParserFirst(platform),
  );
  return { url, paths: DEFAULT_PATHS, handled, records, close: () => app.close() };
}
