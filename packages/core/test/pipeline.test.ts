import { afterEach, describe, expect, it, vi } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import { signIndependently } from "../../../test/support/independent-signer.js";
import { payloadTooLarge } from "../src/http/limit.js";
import { responses, type WebhookResponse } from "../src/http/responses.js";
import {
  type DedupeStore,
  memoryStore,
  type UnknownEvent,
  type UpsertSuccessEvent,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { upsertFailEvent, upsertSuccessEvent } from "../src/testing.js";
import { harness as createReceiver, type HarnessInput } from "./pipeline-harness.js";
import { memoryPino } from "./record-support.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const KEY_TEXT = SECRET.slice("whsec_".length);
const NOW_S = 1_700_000_000;
const base: ColivaraWebhookOptions = { secret: SECRET, now: () => NOW_S * 1000 };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function delivery(payload: object | string, options: { secret?: string; id?: string } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signed = signIndependently(options.secret ?? SECRET, body, {
    timestamp: NOW_S,
    ...(options.id ? { id: options.id } : {}),
  });
  return { method: "POST", headers: signed.headers, body: Buffer.from(body) };
}

function errorBody(response: WebhookResponse): { error: { code: string; message: string } } {
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const parsed = JSON.parse(response.body);
  expect(Object.keys(parsed)).toEqual(["error"]);
  expect(Object.keys(parsed.error).sort()).toEqual(["code", "message"]);
  expect(typeof parsed.error.message).toBe("string");
  return parsed;
}

describe("handler map", () => {
  it("dispatches each known type to its handler and answers 204", async () => {
    const success = vi.fn();
    const fail = vi.fn();
    const receiver = createReceiver({ ...base, on: { "upsert.success": success, "upsert.fail": fail } });
    expect(receiver.pipeline.answersItself).toBe(true);

    const result = await receiver.receive(delivery(upsertSuccessEvent(), { id: "msg_s" }));
    expect(result.response).toEqual({ status: 204, headers: {}, body: "" });
    expect(success).toHaveBeenCalledTimes(1);
    const [event, webhook] = success.mock.calls[0] as [UpsertSuccessEvent, VerifiedWebhook];
    expect(event).toEqual(upsertSuccessEvent());
    expect(webhook).toMatchObject({ id: "msg_s", timestamp: new Date(NOW_S * 1000), event });
    expect(fail).not.toHaveBeenCalled();

    expect((await receiver.receive(delivery(upsertFailEvent()))).response?.status).toBe(204);
    expect(fail).toHaveBeenCalledTimes(1);
    expect(fail.mock.calls[0]?.[0]).toEqual(upsertFailEvent());
  });

  it("acknowledges a type without a handler (204) without calling the others", async () => {
    const success = vi.fn();
    const receiver = createReceiver({ ...base, on: { "upsert.success": success } });
    expect((await receiver.receive(delivery(upsertFailEvent()))).response?.status).toBe(204);
    expect((await receiver.receive(delivery({ type: "doc.deleted", id: 3 }))).response?.status).toBe(204);
    expect(success).not.toHaveBeenCalled();
  });

  it("routes unknown types to the catch-all `unknown` handler", async () => {
    const unknown = vi.fn();
    const success = vi.fn();
    const receiver = createReceiver({ ...base, on: { unknown, "upsert.success": success } });
    const result = await receiver.receive(delivery({ type: "doc.deleted", id: 3 }));
    expect(result.response?.status).toBe(204);
    expect(unknown).toHaveBeenCalledTimes(1);
    const event = unknown.mock.calls[0]?.[0] as UnknownEvent;
    expect(event).toEqual({ type: "unknown", originalType: "doc.deleted", payload: { type: "doc.deleted", id: 3 } });
    expect(success).not.toHaveBeenCalled();
  });

  it("awaits async handlers", async () => {
    const order: string[] = [];
    const receiver = createReceiver({
      ...base,
      on: {
        "upsert.fail": async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push("handler done");
        },
      },
    });
    const result = await receiver.receive(delivery(upsertFailEvent()));
    order.push("answered");
    expect(result.response?.status).toBe(204);
    expect(order).toEqual(["handler done", "answered"]);
  });

  it.each([
    [
      "throws",
      () => {
        throw new Error(`database down; key ${KEY_TEXT}`);
      },
    ],
    ["rejects", async () => Promise.reject(new Error(`database down; key ${KEY_TEXT}`))],
  ])("a handler that %s answers 500 handler_failed and reports through onError", async (_label, handler) => {
    const onError = vi.fn();
    const receiver = createReceiver({ ...base, on: { "upsert.success": handler }, onError });
    const { response } = await receiver.receive(delivery(upsertSuccessEvent(), { id: "msg_boom" }));
    expect(response?.status).toBe(500);
    expect(errorBody(response as WebhookResponse).error.code).toBe("handler_failed");
    // The handler's own message stays server-side.
    expect(response?.body).not.toContain("database down");
    expect(response?.body).not.toContain(KEY_TEXT);
    expect(onError).toHaveBeenCalledTimes(1);
    const [error, context] = onError.mock.calls[0] as [Error, { webhook?: VerifiedWebhook }];
    expect(error.message).toMatch(/^database down/);
    expect(context.webhook?.id).toBe("msg_boom");
  });

  it("an onError that throws does not change the 500 answer", async () => {
    const receiver = createReceiver({
      ...base,
      on: {
        "upsert.fail": () => {
          throw new Error("handler");
        },
      },
      onError: () => {
        throw new Error("reporter");
      },
    });
    const { response } = await receiver.receive(delivery(upsertFailEvent()));
    expect(response?.status).toBe(500);
  });

  it("fails closed: no handler runs for an unverified request", async () => {
    const success = vi.fn();
    const receiver = createReceiver({ ...base, on: { "upsert.success": success } });
    const forged = delivery(upsertSuccessEvent(), { secret: `whsec_${Buffer.alloc(24, 1).toString("base64")}` });
    const { response } = await receiver.receive(forged);
    expect(response?.status).toBe(401);
    expect(errorBody(response as WebhookResponse).error.code).toBe("invalid_signature");
    expect(success).not.toHaveBeenCalled();
  });
});

describe("middleware mode (no handler map)", () => {
  it("hands the verified webhook back instead of answering", async () => {
    const receiver = createReceiver(base);
    expect(receiver.pipeline.answersItself).toBe(false);
    const result = await receiver.receive(delivery(upsertSuccessEvent(), { id: "msg_mw" }));
    expect(result.response).toBeUndefined();
    expect(result.webhook?.id).toBe("msg_mw");
    expect(result.webhook?.event).toEqual(upsertSuccessEvent());
  });

  it("answers failures itself with the status of the failure table; reports only server-side ones", async () => {
    const onError = vi.fn();
    const receiver = createReceiver({ ...base, onError });
    const valid = delivery(upsertSuccessEvent());
    const cases: [string, HarnessInput, number, string][] = [
      ["no headers", { ...valid, headers: {} }, 401, "missing_headers"],
      ["bad timestamp", { ...valid, headers: { ...valid.headers, "svix-timestamp": "1e9" } }, 401, "invalid_timestamp"],
      [
        "stale",
        { ...valid, headers: { ...valid.headers, "svix-timestamp": String(NOW_S - 301) } },
        401,
        "timestamp_too_old",
      ],
      [
        "future",
        { ...valid, headers: { ...valid.headers, "svix-timestamp": String(NOW_S + 301) } },
        401,
        "timestamp_too_new",
      ],
      ["tampered", { ...valid, body: Buffer.from(" ") }, 401, "invalid_signature"],
      ["bad payload", delivery("[1,2]"), 400, "invalid_payload"],
      ["too large", { ...valid, bodyError: payloadTooLarge(10) }, 413, "payload_too_large"],
      ["parsed body", { ...valid, body: undefined }, 500, "body_already_parsed"],
    ];
    for (const [label, input, status, code] of cases) {
      const { response } = await receiver.receive(input);
      expect([label, response?.status]).toEqual([label, status]);
      expect([label, errorBody(response as WebhookResponse).error.code]).toEqual([label, code]);
      expect(response?.body).not.toContain(KEY_TEXT);
    }
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "body_already_parsed" });
  });
});

describe("HTTP method", () => {
  it.each(["GET", "PUT", "HEAD", "OPTIONS", "DELETE"])("%s answers 405 with allow: POST", async (method) => {
    const handler = vi.fn();
    const receiver = createReceiver({ ...base, on: { "upsert.success": handler } });
    const { response } = await receiver.receive({ ...delivery(upsertSuccessEvent()), method });
    expect(response?.status).toBe(405);
    expect(response?.headers.allow).toBe("POST");
    expect(errorBody(response as WebhookResponse).error.code).toBe("method_not_allowed");
    expect(handler).not.toHaveBeenCalled();
  });

  it("accepts POST in any case, and no method at all", async () => {
    const receiver = createReceiver(base);
    for (const method of ["POST", "post", undefined]) {
      const result = await receiver.receive({ ...delivery(upsertSuccessEvent()), method });
      expect(result.webhook?.event.type).toBe("upsert.success");
    }
  });
});

describe("configuration errors are thrown at creation with invalid_config", () => {
  function configError(options: unknown): WebhookVerificationError {
    let thrown: unknown;
    try {
      createReceiver(options as ColivaraWebhookOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhookVerificationError);
    expect((thrown as WebhookVerificationError).code).toBe("invalid_config");
    return thrown as WebhookVerificationError;
  }

  it.each([
    ["an unknown key", { "upsert.succes": () => {} }],
    ["the raw type name of a future event", { "doc.deleted": () => {} }],
    ["a non-function value", { "upsert.success": "handler" }],
    ["an undefined value", { "upsert.fail": undefined }],
    ["null", null],
    ["a function", () => {}],
    ["a string", "upsert.success"],
  ])("on: %s", (_label, on) => {
    const error = configError({ ...base, on });
    expect(error.message).toMatch(/on/);
  });

  it.each([
    ["a string", "console.error"],
    ["an object", {}],
    ["null", null],
  ])("onError: %s", (_label, onError) => {
    expect(configError({ ...base, onError }).message).toMatch(/onError/);
  });

  it.each([
    ["zero", 0],
    ["negative", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["garbage", "lots"],
    ["an object", {}],
  ])("limit: %s", (_label, limit) => {
    expect(configError({ ...base, limit }).message).toMatch(/limit/);
  });

  it("a bad secret, eagerly", () => {
    expect(configError({ secret: "whsec_" }).message).not.toContain("undefined");
  });

  it("no secret at all, eagerly, naming COLIVARA_WEBHOOK_SECRET", () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", undefined);
    expect(configError({}).message).toContain("COLIVARA_WEBHOOK_SECRET");
  });
});

describe("limit", () => {
  it("defaults to 1 MiB and reads numbers and unit strings", () => {
    expect(createReceiver(base).pipeline.options.limit).toBe(1024 * 1024);
    expect(createReceiver({ ...base, limit: 512 }).pipeline.options.limit).toBe(512);
    expect(createReceiver({ ...base, limit: "1mb" }).pipeline.options.limit).toBe(1024 * 1024);
    expect(createReceiver({ ...base, limit: "256kb" }).pipeline.options.limit).toBe(256 * 1024);
  });
});

describe("lazySecret", () => {
  it("creates without a secret, answers 500 invalid_config at the first request, and recovers once set", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", undefined);
    const onError = vi.fn();
    const handler = vi.fn();
    const receiver = createReceiver(
      { now: () => NOW_S * 1000, onError, on: { "upsert.success": handler } },
      { lazySecret: true },
    );
    const { response } = await receiver.receive(delivery(upsertSuccessEvent()));
    expect(response?.status).toBe(500);
    const body = errorBody(response as WebhookResponse);
    expect(body.error.code).toBe("invalid_config");
    // The caller learns the endpoint is misconfigured; the log (onError) says how to fix it.
    expect(body.error.message).not.toContain("COLIVARA_WEBHOOK_SECRET");
    expect(String(onError.mock.calls[0]?.[0])).toContain("COLIVARA_WEBHOOK_SECRET");
    expect(handler).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "invalid_config" });

    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", SECRET);
    expect((await receiver.receive(delivery(upsertSuccessEvent()))).response?.status).toBe(204);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("a malformed secret is also reported at request time, without its text", async () => {
    const bad = `whsec_${Buffer.alloc(20, 9).toString("base64")}`;
    const onError = vi.fn();
    const receiver = createReceiver({ secret: bad, onError }, { lazySecret: true });
    const { response } = await receiver.receive(delivery(upsertSuccessEvent()));
    expect(response?.status).toBe(500);
    expect(errorBody(response as WebhookResponse).error.code).toBe("invalid_config");
    expect(response?.body).not.toContain(bad.slice(6));
    expect(onError).toHaveBeenCalledTimes(1);
  });
});

describe("rejections", () => {
  it("render a WebhookVerificationError as its status and JSON body", () => {
    const response = responses.rejected(new WebhookVerificationError("invalid_signature", "nope"));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: { code: "invalid_signature", message: "nope" } });
  });

  it("hide the message of any other error behind a 500, and report it", async () => {
    const onError = vi.fn();
    const receiver = createReceiver({ ...base, onError });
    const fault = new Error(`internal detail ${KEY_TEXT}`);
    const { response } = await receiver.receive({ ...delivery(upsertSuccessEvent()), bodyError: fault });
    expect(response?.status).toBe(500);
    expect(response?.body).not.toContain("internal detail");
    expect(response?.body).not.toContain(KEY_TEXT);
    expect(onError).toHaveBeenCalledWith(fault, {});
  });
});

describe("the promise-free path (node:crypto, no store or the in-memory one, no handler map)", () => {
  it("forwards a verified delivery and answers a forgery before run() returns", async () => {
    const receiver = createReceiver({ ...base, dedupe: false });
    const good = await receiver.receive(delivery(upsertSuccessEvent({ name: "now.pdf" })));
    expect(good.sync).toBe(true);
    expect(good.webhook?.event).toMatchObject({ name: "now.pdf" });
    const forged = await receiver.receive(
      delivery(upsertSuccessEvent(), { secret: "whsec_dGhpcy1pcy1hbm90aGVyLXNlY3JldC0yNA==" }),
    );
    expect(forged.sync).toBe(true);
    expect(forged.response?.status).toBe(401);
  });

  it("the default in-memory store answers at once too: a copy is a duplicate before run() returns", async () => {
    const withMemory = createReceiver(base);
    const input = delivery(upsertSuccessEvent(), { id: "msg_now_memory" });
    const first = await withMemory.receive(input);
    expect(first.sync).toBe(true);
    expect(first.webhook?.id).toBe("msg_now_memory");
    first.answer?.(204);
    const copy = await withMemory.receive(input);
    expect(copy.sync).toBe(true);
    expect(copy.response).toMatchObject({ status: 200, body: '{"duplicate":true}' });
  });

  it("waits for a store of one's own, with the same outcome", async () => {
    // The memory store's promise-based methods alone, as any other store would offer them.
    const memory = memoryStore();
    const ownStore: DedupeStore = {
      claim: (id) => memory.claim(id),
      complete: (id, token) => memory.complete(id, token),
      release: (id, token) => memory.release(id, token),
    };
    const withStore = createReceiver({ ...base, dedupe: ownStore });
    const input = delivery(upsertSuccessEvent(), { id: "msg_now_store" });
    const first = await withStore.receive(input);
    expect(first.sync).toBe(false);
    expect(first.webhook?.id).toBe("msg_now_store");
    first.answer?.(204);
    await eventually(async () =>
      expect((await withStore.receive(input)).response).toMatchObject({ status: 200, body: '{"duplicate":true}' }),
    );
    const mapped = createReceiver({ ...base, dedupe: false, on: { "upsert.success": () => {} } });
    expect((await mapped.receive(delivery(upsertSuccessEvent()))).response?.status).toBe(204);
  });
});

describe("answers that come later (Web Crypto, a store of one's own)", () => {
  it("on Web Crypto, a forgery is refused 401 once the asynchronous check fails", async () => {
    const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    const receiver = createReceiver(base);
    spy.mockRestore();
    const forged = delivery(upsertSuccessEvent(), { secret: "whsec_dGhpcy1pcy1hbm90aGVyLXNlY3JldC0yNA==" });
    const { response, sync } = await receiver.receive(forged);
    expect(sync).toBe(false);
    expect(response?.status).toBe(401);
    expect(errorBody(response as WebhookResponse).error.code).toBe("invalid_signature");
  });

  it("a store that answers something other than a claim fails closed: 500, reported, no handler", async () => {
    const onError = vi.fn();
    const handler = vi.fn();
    const garbage: DedupeStore = {
      claim: async () => null as never,
      complete: async () => {},
      release: async () => {},
    };
    const receiver = createReceiver({ ...base, dedupe: garbage, onError, on: { "upsert.success": handler } });
    const { response } = await receiver.receive(delivery(upsertSuccessEvent()));
    expect(response?.status).toBe(500);
    expect(handler).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledOnce();
  });
});

describe("the pipeline's own answers", () => {
  it("answers itself with a hand-off as with a handler map", () => {
    const handOff = { enqueue: async () => "stored" as const };
    expect(createReceiver({ ...base, handOff }).pipeline.answersItself).toBe(true);
  });

  it("records a copy as a duplicate without a failure code", async () => {
    const { logger, lines } = memoryPino();
    const receiver = createReceiver({ ...base, log: logger, on: {} });
    const input = delivery(upsertSuccessEvent(), { id: "msg_copy_record" });
    await receiver.receive(input);
    expect((await receiver.receive(input)).response?.status).toBe(200);
    expect(lines.at(-1)).toMatchObject({ outcome: "duplicate", status: 200 });
    expect(lines.at(-1)).not.toHaveProperty("code");
  });
});
