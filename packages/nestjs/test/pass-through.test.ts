// Options the module hands to the core untouched, seen from outside: OpenTelemetry spans, and
// requireHttps read through the platform's own proxy setting (Express's trust proxy, Fastify's trustProxy).
import { openTelemetry } from "@colivara/webhooks/otel";
import { Injectable, Module } from "@nestjs/common";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { ColivaraWebhooksModule, OnColivaraEvent } from "../src/index.js";
import { createApp, platforms, successBody, type TestApp } from "./support.js";

const secret = newSecret();

@Injectable()
class Events {
  @OnColivaraEvent("upsert.success")
  ready() {}
}
@Module({ providers: [Events] })
class App {}

describe.each(platforms)("options pass through on platform-%s", (platform) => {
  let test: TestApp | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it("telemetry: one span per attempt, with the delivery id", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const telemetry = openTelemetry({ tracer: provider.getTracer("test") });
    test = await createApp(platform, [App, ColivaraWebhooksModule.forRoot({ secret, log: false, telemetry })]);
    const delivery = signIndependently(secret, successBody());
    expect((await test.post("/webhooks/colivara", delivery)).status).toBe(204);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes["messaging.message.id"]).toBe(delivery.headers["svix-id"]);
  });

  it("requireHttps: HTTPS as the trusted proxy reports it", async () => {
    const trusting =
      platform === "express"
        ? { configure: (app: unknown) => (app as NestExpressApplication).set("trust proxy", "loopback") }
        : { adapter: new FastifyAdapter({ trustProxy: "127.0.0.1" }) };
    test = await createApp(
      platform,
      [App, ColivaraWebhooksModule.forRoot({ secret, log: false, requireHttps: true })],
      trusting.configure,
      trusting.adapter,
    );
    const delivery = signIndependently(secret, successBody());
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9" };
    const viaProxy = { ...delivery, headers: { ...delivery.headers, ...forwarded } };
    expect((await test.post("/webhooks/colivara", viaProxy)).status).toBe(204);
    const plain = await test.post("/webhooks/colivara", signIndependently(secret, successBody()));
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe("https_required");
  });
});
