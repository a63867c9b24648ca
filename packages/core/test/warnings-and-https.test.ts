// Warnings that arrive before the damage, and the HTTPS-only rule with its trusted proxies.
import { describe, expect, it } from "vitest";
import { createDeliveryPipeline } from "../src/pipeline/pipeline.js";
import { WebhookVerificationError } from "../src/shared/errors.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { memoryPino, NOW_S, OLD_SECRET, pipelineFor, signed } from "./record-support.js";

const warningsOf = (lines: Record<string, unknown>[]) => lines.filter((line) => line.warning !== undefined);

describe("warnings", () => {
  it("warns when a signed timestamp is off by more than half the tolerance (a drifting clock)", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    await receive(signed(upsertSuccessEvent(), { timestamp: NOW_S - 100 }));
    expect(warningsOf(lines)).toEqual([]);
    expect((await receive(signed(upsertSuccessEvent(), { timestamp: NOW_S - 170, id: "msg_drift" }))).status).toBe(204);
    const [warning] = warningsOf(lines);
    expect(warning).toMatchObject({ level: 40, warning: "clock_drift", deliveryId: "msg_drift", skewSeconds: 170 });
    expect(warning?.msg).toMatch(/signed 170 s ago; tolerance 300 s.*NTP/);
  });

  it("does not warn about drift for a forged request, whatever its timestamp", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    await receive(signed(upsertSuccessEvent(), { timestamp: NOW_S - 200, secret: OLD_SECRET }));
    expect(warningsOf(lines)).toEqual([]);
  });

  it("warns while a handler is still running past slowHandlerMs, naming Svix's 15 s", async () => {
    const { logger, lines } = memoryPino();
    // The handler answers only once the warning has been written: no timing is asserted.
    const warned = new Promise<void>((resolve) => {
      const warn = logger.warn.bind(logger);
      logger.warn = ((...args: Parameters<typeof warn>) => {
        warn(...args);
        resolve();
      }) as typeof logger.warn;
    });
    const { receive } = pipelineFor({ log: logger, slowHandlerMs: 20 }, () => warned);
    expect((await receive(signed(upsertSuccessEvent(), { id: "msg_slow" }))).status).toBe(204);
    const [warning] = warningsOf(lines);
    expect(warning).toMatchObject({ warning: "slow_handler", deliveryId: "msg_slow", eventType: "upsert.success" });
    expect(warning?.msg).toMatch(/Svix stops waiting at 15 s.*answer first, then work/);
  });

  it("summarises a burst of invalid signatures once", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    for (let i = 0; i < 25; i++) await receive(signed(upsertSuccessEvent(), { secret: OLD_SECRET }));
    const warnings = warningsOf(lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ warning: "invalid_signature_burst", count: 10 });
    expect(lines.filter((line) => line.code === "invalid_signature")).toHaveLength(25);
  });

  it("keeps answering when the logger throws", async () => {
    const broken = { info: () => {}, warn: () => {}, error: () => {} };
    broken.info = () => {
      throw new Error("disk full");
    };
    const { receive } = pipelineFor({ log: broken }, () => undefined);
    expect((await receive(signed())).status).toBe(204);
  });
});

describe("requireHttps", () => {
  it("refuses a delivery over plain HTTP with 403 https_required, naming the fix", async () => {
    const { logger, lines } = memoryPino();
    let ran = false;
    const { receive } = pipelineFor({ log: logger, requireHttps: true }, () => {
      ran = true;
    });
    const response = await receive(signed());
    expect(response.status).toBe(403);
    const { error } = JSON.parse(response.body);
    expect(error.code).toBe("https_required");
    expect(error.message).toMatch(/https:\/\/ URL.*trust proxy.*trustProxy/);
    expect(ran).toBe(false);
    expect(lines[0]).toMatchObject({ outcome: "rejected", code: "https_required", status: 403 });
  });

  it("accepts a delivery the framework saw arrive over TLS", async () => {
    const { receive } = pipelineFor({ log: false, requireHttps: true }, () => undefined);
    expect((await receive({ ...signed(), secure: true })).status).toBe(204);
  });

  it("ignores x-forwarded-proto unless trustProxy is set", async () => {
    const forwarded = () => {
      const request = signed();
      request.headers["x-forwarded-proto"] = "https";
      request.headers["x-forwarded-for"] = "198.51.100.7, 10.0.0.1";
      return request;
    };
    const untrusted = pipelineFor({ log: false, requireHttps: true }, () => undefined);
    expect((await untrusted.receive(forwarded())).status).toBe(403);
    const { logger, lines } = memoryPino();
    const trusted = pipelineFor({ log: logger, requireHttps: true, trustProxy: true }, () => undefined);
    expect((await trusted.receive(forwarded())).status).toBe(204);
    expect(lines[0]).toMatchObject({ remoteAddress: "198.51.100.7" });
  });

  it("refuses trustProxy where the framework has its own setting, at creation", () => {
    const create = () =>
      createDeliveryPipeline({ secret: OLD_SECRET, trustProxy: true }, { proxySetting: 'app.set("trust proxy", 1)' });
    expect(create).toThrow(WebhookVerificationError);
    expect(create).toThrow(/trust proxy/);
    expect(() => createDeliveryPipeline({ secret: OLD_SECRET, requireHttps: "yes" as never })).toThrow(/true or false/);
  });
});
