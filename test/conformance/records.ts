// Every adapter writes the same delivery records: one case per outcome, driven over real
// HTTP against the conformance app (see suite.ts), read back from the app's pino log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "./deliveries.js";
import type { AdapterFactory, ConformanceApp } from "./suite.js";

type Line = Record<string, unknown>;
const MiB = 1024 * 1024;

export function runRecordSuite(factory: AdapterFactory): void {
  describe(`delivery records: ${factory.name}`, () => {
    const secret = newSecret();
    let app: ConformanceApp;
    let records: () => Promise<Line[]>;

    beforeAll(async () => {
      app = await factory.start({ secret });
      if (app.records === undefined) throw new Error(`${factory.name}: the conformance app exposes no records`);
      records = app.records;
    });
    afterAll(async () => {
      await app?.close();
    });

    /** Sends one request and returns the one record it produced (requests here run one at a time). */
    async function recordOf(delivery: Pick<Delivery, "body" | "headers">, path = app.paths.verify): Promise<Line> {
      const before = (await records()).length;
      const response = await fetch(`${app.url}${path}`, {
        method: "POST",
        body: delivery.body,
        headers: delivery.headers,
      });
      await response.arrayBuffer();
      // Middleware mode records when the route's answer finished: it may land just after.
      await eventually(async () => expect((await records()).length).toBe(before + 1));
      const record = (await records())[before] as Line;
      expect(record.status).toBe(response.status);
      expect(JSON.stringify(record)).not.toContain(secret.slice(6));
      expect(JSON.stringify(record)).not.toContain(delivery.headers["svix-signature"]);
      return record;
    }

    it("accepted: id, type, matched secret, skew, bytes, address, durations", async () => {
      const delivery = sign(secret, successPayload());
      const record = await recordOf(delivery);
      expect(record).toMatchObject({
        outcome: "accepted",
        deliveryId: delivery.id,
        eventType: "upsert.success",
        secretIndex: 0,
        bodyBytes: Buffer.byteLength(delivery.body),
      });
      expect(Math.abs(record.skewSeconds as number)).toBeLessThan(60);
      expect(record.remoteAddress).toMatch(/127\.0\.0\.1/);
      for (const field of ["durationMs", "verifyMs", "handlerMs"]) expect(typeof record[field]).toBe("number");
    });

    it("duplicate: the copy of a handled delivery", async () => {
      const delivery = sign(secret, successPayload());
      await recordOf(delivery);
      expect(await recordOf(delivery)).toMatchObject({ outcome: "duplicate", status: 200, deliveryId: delivery.id });
    });

    it("rejected invalid_signature: nothing of the unverified delivery", async () => {
      const delivery = sign(newSecret(), successPayload({ name: "forged-name.pdf" }));
      const record = await recordOf(delivery);
      expect(record).toMatchObject({ outcome: "rejected", code: "invalid_signature", status: 401 });
      for (const hidden of [delivery.id, "forged-name", "upsert.success"])
        expect(JSON.stringify(record)).not.toContain(hidden);
    });

    it("rejected timestamp_too_old: with the skew", async () => {
      const delivery = sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 612 });
      const record = await recordOf(delivery);
      expect(record).toMatchObject({ outcome: "rejected", code: "timestamp_too_old" });
      expect(record.skewSeconds).toBeGreaterThanOrEqual(612);
      expect(record.msg).toMatch(/signed \d+ s ago; tolerance 300 s/);
    });

    it("rejected invalid_payload on a signed delivery: an error, with the delivery id", async () => {
      const delivery = sign(secret, successPayload({ num_pages: "12" }));
      expect(await recordOf(delivery)).toMatchObject({
        level: 50,
        outcome: "rejected",
        code: "invalid_payload",
        deliveryId: delivery.id,
      });
    });

    it("rejected payload_too_large", async () => {
      const delivery = sign(secret, successPayload({ metadata: { blob: "x".repeat(MiB + 10) } }));
      expect(await recordOf(delivery)).toMatchObject({ outcome: "rejected", code: "payload_too_large", status: 413 });
    });

    it("handler_failed: the handler map's throw", async () => {
      const delivery = sign(secret, failPayload({ name: "explode" }));
      expect(await recordOf(delivery, app.paths.handlers)).toMatchObject({
        level: 50,
        outcome: "handler_failed",
        code: "handler_failed",
        status: 500,
        deliveryId: delivery.id,
        eventType: "upsert.fail",
      });
    });

    it("accepted through the handler map", async () => {
      const delivery = sign(secret, successPayload());
      const record = await recordOf(delivery, app.paths.handlers);
      expect(record).toMatchObject({ outcome: "accepted", status: 204, deliveryId: delivery.id });
    });
  });
}
