// One conformance suite for every adapter (Inngest's testFramework idea): each adapter
// supplies a factory that starts a real app on 127.0.0.1 with the routes below, and the
// suite drives it over real HTTP with deliveries signed by the `svix` package.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, failPayload, newId, newSecret, sign, successPayload } from "./deliveries.js";
import { abortMidUpload, postPartial } from "./http-client.js";

/** What a user handler saw, as the app records it. */
export interface HandledRecord {
  route: "verify" | "handlers" | "metadata" | "dead-letter";
  id: string;
  type: string;
  originalType?: string;
  name?: string;
  /** On the metadata route: the schema's output the handler got. */
  metadata?: unknown;
  /** On a dead letter: the error code it was refused with. */
  code?: string;
}

/**
 * The app every factory builds, with the adapter's default limit (1 MiB):
 * - `verify`: the adapter in its "hand me the event" form; the user handler records the
 *   delivery and answers 200 `{ "id", "type" }`.
 * - `handlers`: the handler-map form (`on`); `upsert.success`, `upsert.fail` and `unknown`
 *   record; `upsert.fail` with name "explode" throws.
 * - `parsedFirst` (optional): a JSON body parser runs before the verifier.
 * - `json`: an ordinary JSON route answering 200 with the parsed body.
 * - `health`: GET, answers 200.
 * - `metadata`: the "hand me the event" form with `metadata: ConformanceMetadata`
 *   (handled-log.ts) and its `deadLetter`; the handler records the typed metadata (`recordTyped`)
 *   and answers 200 `{ "id", "type" }`.
 */
export interface ConformanceApp {
  url: string;
  paths: {
    verify: string;
    handlers: string;
    parsedFirst?: string | undefined;
    json: string;
    health: string;
    metadata: string;
  };
  handled(): Promise<HandledRecord[]>;
  /** The delivery records the `verify` and `handlers` routes wrote to their `log` (pino JSON lines). */
  records?: (() => Promise<Record<string, unknown>[]>) | undefined;
  close(): Promise<void>;
}

/** The paths the in-process conformance apps (Express, Fastify, Hono) serve. */
export const DEFAULT_PATHS: ConformanceApp["paths"] = {
  verify: "/webhooks/colivara",
  handlers: "/webhooks/handlers",
  parsedFirst: "/webhooks/parsed-first",
  json: "/echo",
  health: "/health",
  metadata: "/webhooks/metadata",
};

export interface AdapterFactory {
  name: string;
  start(config: { secret: string }): Promise<ConformanceApp>;
  /** Why the adapter has no "parser ran first" route, when it has none. */
  noParsedFirstReason?: string;
  /**
   * Why the server cannot answer before a request body has fully arrived, when it cannot:
   * a property of the platform, not of the adapter (`next start` holds every Edge function's
   * response until the upload ends). The early-413 case then sends the whole declared body.
   */
  answersAfterUploadReason?: string;
}

const MiB = 1024 * 1024;

export function runConformanceSuite(factory: AdapterFactory): void {
  describe(`adapter conformance: ${factory.name}`, () => {
    const secret = newSecret();
    let app: ConformanceApp;

    beforeAll(async () => {
      app = await factory.start({ secret });
    });
    afterAll(async () => {
      await app?.close();
    });

    const url = (path: string) => `${app.url}${path}`;
    const post = (path: string, delivery: Pick<Delivery, "body" | "headers">) =>
      fetch(url(path), { method: "POST", body: delivery.body, headers: delivery.headers });
    const handledIds = async () => new Set((await app.handled()).map((r) => r.id));

    async function expectError(response: Response, status: number, code: string): Promise<void> {
      const text = await response.text();
      expect({ status: response.status, text }).toMatchObject({ status });
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe("string");
      expect(text).not.toContain(secret.slice(6));
    }

    async function expectRejected(delivery: Delivery, status: number, code: string, path = app.paths.verify) {
      await expectError(await post(path, delivery), status, code);
      expect(await handledIds()).not.toContain(delivery.id);
    }

    describe("genuine deliveries", () => {
      it("hands a verified upsert.success to the handler, typed", async () => {
        const delivery = sign(secret, successPayload({ name: "typed.pdf" }));
        const response = await post(app.paths.verify, delivery);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: delivery.id, type: "upsert.success" });
        const record = (await app.handled()).find((r) => r.id === delivery.id);
        expect(record).toMatchObject({ route: "verify", type: "upsert.success", name: "typed.pdf" });
      });

      it("hands a verified upsert.fail to the handler", async () => {
        const delivery = sign(secret, failPayload());
        const response = await post(app.paths.verify, delivery);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: delivery.id, type: "upsert.fail" });
      });

      it("accepts the unbranded webhook-* headers", async () => {
        const delivery = sign(secret, successPayload(), { prefix: "webhook" });
        expect((await post(app.paths.verify, delivery)).status).toBe(200);
      });

      it("accepts a rotation header where one of several signatures matches", async () => {
        const delivery = sign(secret, successPayload());
        const other = sign(newSecret(), delivery.body, { id: delivery.id });
        delivery.headers["svix-signature"] = `${other.headers["svix-signature"]} ${delivery.headers["svix-signature"]}`;
        expect((await post(app.paths.verify, delivery)).status).toBe(200);
      });

      it("delivers a validly signed unknown event type with 2xx as a distinct case", async () => {
        const delivery = sign(secret, { type: "document.deleted", id: 7 });
        const response = await post(app.paths.verify, delivery);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: delivery.id, type: "unknown" });
        const record = (await app.handled()).find((r) => r.id === delivery.id);
        expect(record).toMatchObject({ type: "unknown", originalType: "document.deleted" });
      });

      it("accepts a body close to the 1 MiB default limit", async () => {
        const delivery = sign(secret, successPayload({ metadata: { blob: "x".repeat(MiB - 2048) } }));
        expect((await post(app.paths.verify, delivery)).status).toBe(200);
      });
    });

    describe("forged, replayed and malformed requests get 401 and never reach the handler", () => {
      it("rejects a tampered body", async () => {
        const delivery = sign(secret, successPayload());
        delivery.body = delivery.body.replace('"num_pages":12', '"num_pages":13');
        await expectRejected(delivery, 401, "invalid_signature");
      });

      it("rejects a tampered id", async () => {
        const delivery = sign(secret, successPayload());
        delivery.headers["svix-id"] = newId();
        await expectError(await post(app.paths.verify, delivery), 401, "invalid_signature");
      });

      it("rejects a tampered timestamp", async () => {
        const delivery = sign(secret, successPayload());
        delivery.headers["svix-timestamp"] = String(Number(delivery.headers["svix-timestamp"]) - 1);
        await expectRejected(delivery, 401, "invalid_signature");
      });

      it("rejects a signature made with another secret", async () => {
        await expectRejected(sign(newSecret(), successPayload()), 401, "invalid_signature");
      });

      it("rejects a stale delivery (replay outside the window)", async () => {
        const delivery = sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 400 });
        await expectRejected(delivery, 401, "timestamp_too_old");
      });

      it("rejects a delivery from the future", async () => {
        const delivery = sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) + 400 });
        await expectRejected(delivery, 401, "timestamp_too_new");
      });

      for (const header of ["svix-id", "svix-timestamp", "svix-signature"]) {
        it(`rejects a request without ${header}`, async () => {
          const delivery = sign(secret, successPayload());
          delete delivery.headers[header];
          await expectRejected(delivery, 401, "missing_headers");
        });
      }

      it("rejects an unsigned request", async () => {
        await expectError(
          await fetch(url(app.paths.verify), {
            method: "POST",
            body: JSON.stringify(successPayload()),
            headers: { "content-type": "application/json" },
          }),
          401,
          "missing_headers",
        );
      });

      it("rejects a malformed timestamp before checking the signature", async () => {
        const delivery = sign(secret, successPayload());
        delivery.headers["svix-timestamp"] = `${delivery.headers["svix-timestamp"]}.0`;
        await expectRejected(delivery, 401, "invalid_timestamp");
      });

      it("rejects malformed signature entries", async () => {
        const delivery = sign(secret, successPayload());
        const mac = (delivery.headers["svix-signature"] as string).slice(3);
        delivery.headers["svix-signature"] = `v2,${mac} v1,${mac.slice(0, -4)} v1 ,${mac} v1,${mac},x`;
        await expectRejected(delivery, 401, "invalid_signature");
      });

      it("rejects an 8 KiB garbage signature header", async () => {
        const delivery = sign(secret, successPayload());
        delivery.headers["svix-signature"] = `v1,${"A".repeat(8192)}`;
        await expectRejected(delivery, 401, "invalid_signature");
      });
    });

    describe("bodies", () => {
      it("answers 413 for a body over the limit, and stays healthy", async () => {
        const delivery = sign(secret, successPayload({ metadata: { blob: "x".repeat(MiB + 10) } }));
        await expectRejected(delivery, 413, "payload_too_large");
        expect((await fetch(url(app.paths.health))).status).toBe(200);
      });

      const waitsForUpload = factory.answersAfterUploadReason;
      const early413 =
        waitsForUpload === undefined
          ? "answers 413 from the declared Content-Length without waiting for the upload"
          : `answers 413 from the declared Content-Length once the upload ends: ${waitsForUpload}`;
      it(early413, async () => {
        const delivery = sign(secret, successPayload());
        // Only 1 KiB of the declared 8 MiB is ever sent: a response proves nothing waited for it.
        // (Where the platform holds every response until the upload ends, all of it is sent.)
        const sent = waitsForUpload === undefined ? Buffer.alloc(1024, 32) : Buffer.alloc(8 * MiB, 32);
        const response = await postPartial(url(app.paths.verify), delivery.headers, 8 * MiB, sent);
        expect(response.status).toBe(413);
        expect(JSON.parse(response.body).error.code).toBe("payload_too_large");
        expect((await fetch(url(app.paths.health))).status).toBe(200);
      });

      it("answers 400 for a signed body that is not JSON", async () => {
        await expectRejected(sign(secret, "not json at all"), 400, "invalid_payload");
      });

      it("answers 400 for a signed known type with a mistyped field", async () => {
        await expectRejected(sign(secret, successPayload({ num_pages: "12" })), 400, "invalid_payload");
      });

      it("survives a client that aborts mid-upload", async () => {
        const delivery = sign(secret, successPayload());
        await abortMidUpload(url(app.paths.verify), delivery.headers);
        expect((await fetch(url(app.paths.health))).status).toBe(200);
        expect((await post(app.paths.verify, sign(secret, successPayload()))).status).toBe(200);
        expect(await handledIds()).not.toContain(delivery.id);
      });

      if (factory.noParsedFirstReason === undefined) {
        it("answers 500 body_already_parsed, naming the fix, when a body parser ran first", async () => {
          const path = app.paths.parsedFirst as string;
          const delivery = sign(secret, successPayload());
          const response = await post(path, delivery);
          const text = await response.text();
          expect(response.status).toBe(500);
          const error = JSON.parse(text).error;
          expect(error.code).toBe("body_already_parsed");
          expect(error.message).toMatch(/raw|before/i);
          expect(await handledIds()).not.toContain(delivery.id);
        });
      } else {
        it(`has no parser-first route: ${factory.noParsedFirstReason}`, () => {
          expect(app.paths.parsedFirst).toBeUndefined();
        });
      }
    });

    describe("handler map (`on`)", () => {
      it("runs the matching handler and answers 204", async () => {
        const delivery = sign(secret, successPayload({ name: "mapped.pdf" }));
        const response = await post(app.paths.handlers, delivery);
        expect(response.status).toBe(204);
        const record = (await app.handled()).find((r) => r.id === delivery.id);
        expect(record).toMatchObject({ route: "handlers", type: "upsert.success", name: "mapped.pdf" });
      });

      it("acknowledges an unknown type through the catch-all", async () => {
        const delivery = sign(secret, { type: "collection.created", name: "c" });
        expect((await post(app.paths.handlers, delivery)).status).toBe(204);
        const record = (await app.handled()).find((r) => r.id === delivery.id);
        expect(record).toMatchObject({ route: "handlers", type: "unknown", originalType: "collection.created" });
      });

      it("answers 500 when the handler throws, so ColiVara retries", async () => {
        const delivery = sign(secret, failPayload({ name: "explode" }));
        await expectError(await post(app.paths.handlers, delivery), 500, "handler_failed");
      });

      it("rejects forgeries before any handler", async () => {
        await expectRejected(sign(newSecret(), successPayload()), 401, "invalid_signature", app.paths.handlers);
      });
    });

    describe("typed metadata (a `metadata` schema)", () => {
      it("hands the schema's output to the handler", async () => {
        const delivery = sign(secret, successPayload({ metadata: { tenant: "acme", stripped: true } }));
        const response = await post(app.paths.metadata, delivery);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: delivery.id, type: "upsert.success" });
        const record = (await app.handled()).find((r) => r.id === delivery.id);
        expect(record).toEqual({
          route: "metadata",
          id: delivery.id,
          type: "upsert.success",
          metadata: { tenant: "acme" },
        });
      });

      it("refuses a mismatch for good: 422 invalid_metadata, abort-message, kept as a dead letter", async () => {
        const delivery = sign(secret, failPayload({ metadata: { tenant: 42, owner: "alice@example.com" } }));
        const response = await post(app.paths.metadata, delivery);
        expect(response.headers.get("webhook-delivery")).toBe("abort-message");
        const text = await response.text();
        expect(response.status).toBe(422);
        expect(JSON.parse(text).error.code).toBe("invalid_metadata");
        // The sender learns nothing of the document's data.
        expect(text).not.toContain("alice@example.com");
        const records = (await app.handled()).filter((r) => r.id === delivery.id);
        expect(records).toEqual([
          { route: "dead-letter", id: delivery.id, type: "upsert.fail", code: "invalid_metadata" },
        ]);
      });

      it("answers a copy of a refused delivery as a duplicate", async () => {
        const delivery = sign(secret, successPayload({ metadata: {} }));
        expect((await post(app.paths.metadata, delivery)).status).toBe(422);
        const again = await post(app.paths.metadata, delivery);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ duplicate: true });
        expect((await app.handled()).filter((r) => r.id === delivery.id)).toHaveLength(1);
      });

      it("still checks the signature first", async () => {
        await expectRejected(
          sign(newSecret(), successPayload({ metadata: {} })),
          401,
          "invalid_signature",
          app.paths.metadata,
        );
      });
    });

    describe("exactly once", () => {
      it("answers a redelivered id 200 {duplicate:true} without running the handler again", async () => {
        const delivery = sign(secret, successPayload());
        expect((await post(app.paths.verify, delivery)).status).toBe(200);
        const again = await post(app.paths.verify, delivery);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ duplicate: true });
        expect((await app.handled()).filter((r) => r.id === delivery.id)).toHaveLength(1);
      });

      it("does the same in the handler-map form", async () => {
        const delivery = sign(secret, successPayload());
        expect((await post(app.paths.handlers, delivery)).status).toBe(204);
        const again = await post(app.paths.handlers, delivery);
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ duplicate: true });
        expect((await app.handled()).filter((r) => r.id === delivery.id)).toHaveLength(1);
      });

      it("lets the retry of a failed delivery run the handler again", async () => {
        const delivery = sign(secret, failPayload({ name: "explode" }));
        await expectError(await post(app.paths.handlers, delivery), 500, "handler_failed");
        // Released, not remembered: the retry reaches the handler (which fails again).
        await expectError(await post(app.paths.handlers, delivery), 500, "handler_failed");
      });
    });

    describe("the rest of the app", () => {
      it("never lets a GET on the webhook route through (405, or 404 where the route is POST-only)", async () => {
        const response = await fetch(url(app.paths.verify));
        expect([404, 405]).toContain(response.status);
      });

      it("keeps normal JSON parsing on other routes", async () => {
        const response = await fetch(url(app.paths.json), {
          method: "POST",
          body: JSON.stringify({ hello: "world", n: 1 }),
          headers: { "content-type": "application/json" },
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ hello: "world", n: 1 });
      });
    });

    it("answers 200 concurrent mixed deliveries each exactly as expected", async () => {
      const now = Math.floor(Date.now() / 1000);
      const kinds = [
        { status: 200, make: () => sign(secret, successPayload()) },
        { status: 200, make: () => sign(secret, failPayload()) },
        { status: 401, make: () => sign(newSecret(), successPayload()) },
        { status: 401, make: () => sign(secret, successPayload(), { timestamp: now - 1000 }) },
        { status: 400, make: () => sign(secret, "[1,2,3]") },
        {
          status: 401,
          make: () => {
            const d = sign(secret, successPayload());
            d.body = d.body.replace("report", "rep0rt");
            return d;
          },
        },
        { status: 413, make: () => sign(secret, successPayload({ metadata: { blob: "y".repeat(MiB + 1) } })) },
      ];
      const jobs = Array.from({ length: 200 }, (_, i) => {
        const kind = kinds[i % kinds.length] as (typeof kinds)[number];
        return { expected: kind.status, delivery: kind.make() };
      });
      const statuses = await Promise.all(jobs.map(async (job) => (await post(app.paths.verify, job.delivery)).status));
      expect(statuses).toEqual(jobs.map((job) => job.expected));
      const ids = await handledIds();
      for (const job of jobs) expect(ids.has(job.delivery.id)).toBe(job.expected === 200);
    });
  });
}
