// The delivery record through a real pino logger: one line per attempt, at the right level,
// with the measurements, and never a secret, a signature or an unverified body field.
import { describe, expect, it } from "vitest";
import { memoryStore } from "../src/dedupe/dedupe.js";
import { permanentFailure } from "../src/pipeline/hand-off.js";
import { defaultSink } from "../src/record/default-log.js";
import type { DeliveryWarningKind } from "../src/record/delivery-log.js";
import { NOT_RECORDING } from "../src/record/recorder.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { memoryPino, NOW_S, OLD_SECRET, pipelineFor, SECRET, signed } from "./record-support.js";

const INFO = 30;
const WARN = 40;
const ERROR = 50;

describe("log: a pino logger gets one record per attempt", () => {
  it("records an accepted delivery at info, with id, type, secret index, skew, bytes and address", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    const request = signed(upsertSuccessEvent(), { id: "msg_accepted", timestamp: NOW_S - 3 });
    expect((await receive(request)).status).toBe(204);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: INFO,
      component: "colivara-webhooks",
      msg: "webhook accepted",
      outcome: "accepted",
      status: 204,
      deliveryId: "msg_accepted",
      eventType: "upsert.success",
      secretIndex: 0,
      skewSeconds: 3,
      bodyBytes: Buffer.byteLength(request.body),
      remoteAddress: "203.0.113.9",
    });
    for (const field of ["durationMs", "verifyMs", "handlerMs"]) expect(typeof lines[0]?.[field]).toBe("number");
  });

  it("says which secret matched during a rotation, so the old one can be retired", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger, secret: [SECRET, OLD_SECRET] }, () => undefined);
    await receive(signed(upsertSuccessEvent(), { secret: OLD_SECRET }));
    await receive(signed(upsertSuccessEvent(), { secret: SECRET }));
    expect(lines.map((line) => line.secretIndex)).toEqual([1, 0]);
  });

  it("records a forgery at warn without id, type, signature, secret or body fields", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    const forged = signed(upsertSuccessEvent({ name: "secret-plans.pdf" }), { secret: OLD_SECRET, id: "msg_forged" });
    expect((await receive(forged)).status).toBe(401);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: WARN, outcome: "rejected", code: "invalid_signature", status: 401 });
    expect(line?.msg).toMatch(/re-encodes bodies/);
    const text = JSON.stringify(line);
    for (const hidden of ["msg_forged", "secret-plans", "upsert.success", forged.headers["svix-signature"] ?? "?"]) {
      expect(text).not.toContain(hidden);
    }
    expect(text).not.toContain(SECRET.slice(6, 20));
  });

  it("records a stale delivery with its skew, and the message says by how much", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    await receive(signed(upsertSuccessEvent(), { timestamp: NOW_S - 612 }));
    await receive(signed(upsertSuccessEvent(), { timestamp: NOW_S + 400 }));
    expect(lines[0]).toMatchObject({ code: "timestamp_too_old", skewSeconds: 612 });
    expect(lines[0]?.msg).toContain("signed 612 s ago; tolerance 300 s");
    expect(lines[1]).toMatchObject({ code: "timestamp_too_new", skewSeconds: -400 });
    expect(lines[1]?.msg).toContain("signed 400 s in the future; tolerance 300 s");
  });

  it("logs a signed delivery that fails the schema as an error: it would disable the endpoint", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    await receive(signed(upsertSuccessEvent({ num_pages: "12" as never }), { id: "msg_schema" }));
    expect(lines[0]).toMatchObject({ level: ERROR, code: "invalid_payload", status: 400, deliveryId: "msg_schema" });
    expect(lines[0]?.msg).toMatch(/disables the endpoint/);
    expect(lines[0]).not.toHaveProperty("eventType");
  });

  it("logs a handler failure at error with the error, its stack and cause", async () => {
    const { logger, lines } = memoryPino();
    const cause = new Error("database down");
    const { receive } = pipelineFor({ log: logger, onError: () => {} }, () => {
      throw new Error("could not save", { cause });
    });
    expect((await receive(signed())).status).toBe(500);
    expect(lines[0]).toMatchObject({ level: ERROR, outcome: "handler_failed", code: "handler_failed", status: 500 });
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toContain("could not save");
    expect(err.stack).toContain("database down");
  });

  it("records duplicates, copies in flight, store outages and permanent refusals", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger, dedupe: memoryStore() }, () => undefined);
    const request = signed(upsertSuccessEvent(), { id: "msg_twice" });
    await receive(request);
    await receive(request);
    expect(lines.map((l) => [l.outcome, l.status, l.deliveryId])).toEqual([
      ["accepted", 204, "msg_twice"],
      ["duplicate", 200, "msg_twice"],
    ]);

    const inFlight = memoryPino();
    let release: () => void = () => {};
    const slow = pipelineFor({ log: inFlight.logger }, () => new Promise<void>((resolve) => (release = resolve)));
    const first = slow.receive(request);
    expect((await slow.receive(request)).status).toBe(409);
    release();
    await first;
    expect(inFlight.lines[0]).toMatchObject({ outcome: "in_progress", code: "delivery_in_progress", level: WARN });

    const down = memoryPino();
    const broken = {
      claim: () => Promise.reject(new Error("redis down")),
      complete: async () => {},
      release: async () => {},
    };
    const outage = pipelineFor({ log: down.logger, dedupe: broken, onError: () => {} }, () => undefined);
    expect((await outage.receive(signed())).status).toBe(503);
    expect(down.lines[0]).toMatchObject({ outcome: "store_unavailable", code: "dedupe_unavailable", level: ERROR });

    const refused = memoryPino();
    const abort = pipelineFor({ log: refused.logger, deadLetter: () => {} }, () => {
      throw permanentFailure("tenant deleted");
    });
    expect((await abort.receive(signed())).status).toBe(422);
    expect(refused.lines[0]).toMatchObject({ outcome: "aborted", code: "permanent_failure", level: WARN });
  });

  it("records hand-offs, and fills the hand-off's context", async () => {
    const { logger, lines } = memoryPino();
    const contexts: unknown[] = [];
    const handOff = {
      enqueue: async (_webhook: unknown, context: unknown) => {
        contexts.push(context);
        return "stored" as const;
      },
    };
    const { receive } = pipelineFor({ log: logger, handOff });
    expect((await receive(signed())).status).toBe(202);
    expect(lines[0]).toMatchObject({ outcome: "handed_off", status: 202 });
    expect(contexts).toEqual([{ traceContext: undefined }]);
  });

  it("records a request refused before its body is read (405)", async () => {
    const { logger, lines } = memoryPino();
    const { receive } = pipelineFor({ log: logger }, () => undefined);
    await receive({ ...signed(), method: "GET" });
    expect(lines[0]).toMatchObject({ outcome: "rejected", code: "method_not_allowed", status: 405 });
    expect(lines[0]).not.toHaveProperty("bodyBytes");
  });
});

describe("log: false and the default", () => {
  it("log: false records nothing, through the no-op recorder", () => {
    expect(pipelineFor({ log: false }).pipeline.options.recorder).toBe(NOT_RECORDING);
  });

  it("refuses something that is not a logger, at creation", () => {
    expect(() => pipelineFor({ log: { info: () => {} } as never })).toThrow(/pino-compatible/);
  });

  it("prints one line per refusal, at most `lines` per window, then a summary of the rest", () => {
    const written: string[] = [];
    let now = 0;
    const sink = defaultSink({ write: (line) => written.push(line), now: () => now, lines: 3, windowMs: 1000 });
    const record = { outcome: "rejected", code: "invalid_signature", status: 401, durationMs: 1 } as const;
    for (let i = 0; i < 50; i++) sink.record(record, undefined);
    sink.record({ ...record, code: "timestamp_too_old" }, undefined);
    expect(written).toHaveLength(3);
    now = 1000;
    sink.record(record, undefined);
    expect(written).toHaveLength(5);
    expect(written[3]).toMatch(
      /48 more refusals of unverified requests in the last 1 s not shown: invalid_signature 47, timestamp_too_old 1\./,
    );
    expect(written[4]).toMatch(/^\[colivara-webhooks\] 401 invalid_signature/);
  });

  it("paces forged refusals, signed refusals and slow handlers apart, and never drift or burst warnings", () => {
    const written: string[] = [];
    let now = 0;
    const sink = defaultSink({ write: (line) => written.push(line), now: () => now, lines: 2, windowMs: 1000 });
    const forged = { outcome: "rejected", code: "invalid_signature", status: 401, durationMs: 1 } as const;
    const genuine = { ...forged, code: "invalid_payload", status: 400, deliveryId: "msg_signed" } as const;
    const warning = (kind: DeliveryWarningKind) => ({ kind, message: kind, fields: {} });
    for (let i = 0; i < 5; i++) {
      sink.record(forged, undefined);
      sink.record(genuine, undefined);
      sink.warn(warning("slow_handler"));
    }
    sink.warn(warning("clock_drift"));
    sink.warn(warning("invalid_signature_burst"));
    expect(written.filter((line) => line.includes("401 invalid_signature"))).toHaveLength(2);
    expect(written.filter((line) => line.includes("400 invalid_payload msg_signed"))).toHaveLength(2);
    expect(written.filter((line) => line.includes("warning slow_handler"))).toHaveLength(2);
    expect(written.slice(-2)).toEqual([
      "[colivara-webhooks] warning clock_drift: clock_drift",
      "[colivara-webhooks] warning invalid_signature_burst: invalid_signature_burst",
    ]);
    now = 1000;
    sink.record(forged, undefined);
    sink.record(genuine, undefined);
    sink.warn(warning("slow_handler"));
    const summaries = written.slice(8).filter((line) => line.includes("more"));
    expect(
      summaries.map((line) => line.replace(/ in the last 1 s not shown: /, ": ").replace(/\. Pass.*/, "")),
    ).toEqual([
      "[colivara-webhooks] 3 more refusals of unverified requests: invalid_signature 3",
      "[colivara-webhooks] 3 more refusals of signed deliveries: invalid_payload 3",
      "[colivara-webhooks] 3 more warnings: slow_handler 3",
    ]);
  });

  it("prints nothing for accepted deliveries and leaves 5xx failures to onError", () => {
    const written: string[] = [];
    const sink = defaultSink({ write: (line) => written.push(line) });
    sink.record({ outcome: "accepted", status: 204, durationMs: 1 }, undefined);
    sink.record({ outcome: "handler_failed", code: "handler_failed", status: 500, durationMs: 1 }, new Error("x"));
    sink.record({ outcome: "rejected", code: "invalid_config", status: 500, durationMs: 1 }, new Error("x"));
    expect(written).toEqual([]);
  });
});
