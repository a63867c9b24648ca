// Builds Nest apps for the tests as Nest users test theirs: @nestjs/testing, then supertest
// against the app's own HTTP server, on platform-express or platform-fastify.
import type { INestApplication, ModuleMetadata } from "@nestjs/common";
import { ExpressAdapter } from "@nestjs/platform-express";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import request from "supertest";
import { successPayload } from "../../../test/conformance/deliveries.js";
import type { IndependentDelivery } from "../../../test/support/independent-signer.js";

export const platforms = ["express", "fastify"] as const;
export type Platform = (typeof platforms)[number];

export interface TestApp {
  app: INestApplication;
  post(path: string, delivery: IndependentDelivery): request.Test;
  close(): Promise<void>;
}

/** Compiles `imports` and initialises the app on `platform`; rejects when module init throws. */
export async function createApp(
  platform: Platform,
  imports: NonNullable<ModuleMetadata["imports"]>,
  configure: (app: INestApplication) => void = () => {},
  adapter: ExpressAdapter | FastifyAdapter = platform === "express" ? new ExpressAdapter() : new FastifyAdapter(),
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication(adapter, { logger: false });
  configure(app);
  try {
    await app.init();
    if (platform === "fastify") await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  return {
    app,
    post: (path, delivery) => request(app.getHttpServer()).post(path).set(delivery.headers).send(delivery.body),
    close: () => app.close(),
  };
}

/** A ColiVara `upsert.success` payload as JSON. */
export function successBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(successPayload(overrides));
}
