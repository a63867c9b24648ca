// The `metadata` option: a Standard Schema checked after the signature and the claim, its
// output handed to the user's code, a mismatch refused for good (422, abort-message) and
// kept through deadLetter, with the schema's issues (never the values) reported to onError.
import { type } from "arktype";
import * as v from "valibot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { signIndependently } from "../../../test/support/independent-signer.js";
import type { WebhookResponse } from "../src/http/responses.js";
import {
  createVerifier,
  type HandOff,
  type MetadataSchema,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { upsertFailEvent, upsertSuccessEvent } from "../src/testing.js";
import { harness } from "./pipeline-harness.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW_S = 1_700_000_000;
const base = { secret: SECRET, now: () => NOW_S * 1000 };

const Meta = z.object({ tenant: z.string(), year: z.number().int().optional() });

afterEach(() => {
  vi.restoreAllMocks();
});

function delivery(payload: object, id?: string) {
  const body = JSON.stringify(payload);
  const signed = signIndependently(SECRET, body, { timestamp: NOW_S, ...(id ? { id } : {}) });
  return { method: "POST", headers: signed.headers, body: Buffer.from(body) };
}

function errorOf(response: WebhookResponse | undefined): { code: string; message: string } {
  return (JSON.parse(response?.body ?? "{}") as { error: { code: string; message: string } }).error;
}

function receiver<M>(options: ColivaraWebhookOptions<M>) {
  return harness({ ...base, ...options } as ColivaraWebhookOptions);
}

describe("a matching delivery", () => {
  it("hands the schema's output to the handler map, synchronously for a sync schema", async () => {
    const seen: unknown[] = [];
    const r = receiver({
      metadata: Meta,
      on: { "upsert.success": (event) => void seen.push(event.metadata) },
      dedupe: false,
    });
    const result = await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: "acme", extra: "dropped" } })));
    expect(result.response?.status).toBe(204);
    // zod strips unknown keys: the handler sees the output, not the input.
    expect(seen).toEqual([{ tenant: "acme" }]);
    // No store, node:crypto and a sync schema: answered before run() returned (no promise).
    expect(result.sync).toBe(true);
  });

  it("gives the output to the next handler in middleware mode", async () => {
    const r = receiver({ metadata: Meta.transform((m) => ({ ...m, tenant: m.tenant.toUpperCase() })), dedupe: false });
    const result = await r.receive(delivery(upsertFailEvent({ metadata: { tenant: "acme" } })));
    expect(result.webhook?.event).toMatchObject({ type: "upsert.fail", metadata: { tenant: "ACME" } });
    expect(result.sync).toBe(true);
  });

  it("waits for an async schema", async () => {
    const Async = z.object({ tenant: z.string() }).refine(async (m) => m.tenant !== "gone", "unknown tenant");
    const seen: unknown[] = [];
    const r = receiver({ metadata: Async, on: { "upsert.success": (event) => void seen.push(event.metadata) } });
    const ok = await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: "acme" } })));
    expect(ok.response?.status).toBe(204);
    expect(seen).toEqual([{ tenant: "acme" }]);
    const refused = await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: "gone" } })));
    expect(refused.response?.status).toBe(422);
    expect(errorOf(refused.response).code).toBe("invalid_metadata");
  });

  it.each([
    ["valibot", v.object({ tenant: v.string() })],
    ["arktype", type({ tenant: "string" })],
  ] as const)("works with %s", async (_name, schema) => {
    const seen: unknown[] = [];
    const r = receiver({
      metadata: schema as MetadataSchema<{ tenant: string }>,
      on: { "upsert.success": (event) => void seen.push(event.metadata.tenant) },
    });
    expect((await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: "acme" } })))).response?.status).toBe(
      204,
    );
    expect(seen).toEqual(["acme"]);
    const refused = await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: 7 } })));
    expect(refused.response?.status).toBe(422);
  });

  it("leaves events of unknown types alone", async () => {
    const unknown = vi.fn();
    const r = receiver({ metadata: Meta, on: { unknown } });
    const result = await r.receive(delivery({ type: "document.deleted", metadata: "not an object" }));
    expect(result.response?.status).toBe(204);
    expect(unknown).toHaveBeenCalledOnce();
  });
});

describe("a mismatch", () => {
  it("answers 422 invalid_metadata with abort-message, keeps it through deadLetter and reports it", async () => {
    const deadLetter = vi.fn();
    const onError = vi.fn();
    const handler = vi.fn();
    const r = receiver({ metadata: Meta, on: { "upsert.success": handler }, deadLetter, onError });
    const event = upsertSuccessEvent({ metadata: { tenant: 42, year: "2025" } });
    const result = await r.receive(delivery(event, "msg_bad_meta"));
    expect(result.response?.status).toBe(422);
    expect(result.response?.headers["webhook-delivery"]).toBe("abort-message");
    expect(errorOf(result.response).code).toBe("invalid_metadata");
    expect(handler).not.toHaveBeenCalled();
    // The delivery as sent is kept, so a replay after fixing the schema has what ColiVara sent.
    expect(deadLetter).toHaveBeenCalledOnce();
    const [kept, error] = deadLetter.mock.calls[0] as [VerifiedWebhook, WebhookVerificationError];
    expect(kept.id).toBe("msg_bad_meta");
    expect(kept.event).toEqual(event);
    expect(error.code).toBe("invalid_metadata");
    expect(error.status).toBe(422);
    expect(error.issues?.map((issue) => issue.path)).toEqual([["tenant"], ["year"]]);
    // Reported even though deadLetter kept it: none of the user's code ran.
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBe(error);
    expect(error.message).toContain("metadata.tenant");
    expect(error.message).toContain("metadata.year");
  });

  it("reports once through onError when there is no deadLetter", async () => {
    const onError = vi.fn();
    const r = receiver({ metadata: Meta, on: {}, onError });
    const result = await r.receive(delivery(upsertSuccessEvent({ metadata: {} })));
    expect(result.response?.status).toBe(422);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "invalid_metadata" });
  });

  it("answers a copy of the refused delivery as a duplicate", async () => {
    const r = receiver({ metadata: Meta, on: {}, onError: () => {} });
    const bad = delivery(upsertSuccessEvent({ metadata: {} }), "msg_refused_twice");
    expect((await r.receive(bad)).response?.status).toBe(422);
    const again = await r.receive(bad);
    expect(again.response?.status).toBe(200);
    expect(again.response?.body).toBe('{"duplicate":true}');
  });

  it("answers 500 (retried) when deadLetter cannot keep it", async () => {
    const onError = vi.fn();
    const r = receiver({
      metadata: Meta,
      on: {},
      onError,
      deadLetter: () => Promise.reject(new Error("store down")),
    });
    const bad = delivery(upsertSuccessEvent({ metadata: {} }), "msg_dead_letter_down");
    const result = await r.receive(bad);
    expect(result.response?.status).toBe(500);
    expect(errorOf(result.response).code).toBe("handler_failed");
    // Released: the retry is refused again, not answered as a duplicate.
    expect((await r.receive(bad)).response?.status).toBe(500);
  });

  it("refuses it before the hand-off: nothing is enqueued", async () => {
    const enqueue = vi.fn(async () => "stored" as const);
    const handOff: HandOff = { enqueue };
    const r = receiver({ metadata: Meta, handOff, onError: () => {} });
    expect((await r.receive(delivery(upsertSuccessEvent({ metadata: {} })))).response?.status).toBe(422);
    expect(enqueue).not.toHaveBeenCalled();
    const good = upsertSuccessEvent({ metadata: { tenant: "acme", extra: 1 } });
    expect((await r.receive(delivery(good))).response?.status).toBe(202);
    // The queue keeps the delivery as sent; the worker validates it with the same schema.
    expect((enqueue.mock.calls[0] as unknown as [VerifiedWebhook])[0].event).toEqual(good);
  });

  it("never puts the values in the issues or the message", async () => {
    const secretish = "alice@example.com";
    const schemas: [string, MetadataSchema<unknown>][] = [
      ["zod", z.object({ owner: z.email().max(5), pin: z.number().max(10), vip: z.literal(false) })],
      [
        "valibot",
        v.object({
          owner: v.pipe(v.string(), v.maxLength(5)),
          pin: v.pipe(v.number(), v.maxValue(10)),
          vip: v.literal(false),
        }),
      ],
      ["arktype", type({ owner: "string <= 5", pin: "number <= 10", vip: "false" })],
    ];
    for (const [name, schema] of schemas) {
      const onError = vi.fn();
      const r = receiver({ metadata: schema, on: {}, onError });
      const metadata = { owner: secretish, pin: 4711, vip: true };
      expect((await r.receive(delivery(upsertSuccessEvent({ metadata })))).response?.status, name).toBe(422);
      const error = onError.mock.calls[0]?.[0] as WebhookVerificationError;
      expect(error.issues?.length, name).toBeGreaterThanOrEqual(3);
      const text = `${error.message} ${JSON.stringify(error.issues)}`;
      expect(text, name).not.toContain(secretish);
      expect(text, name).not.toMatch(/(?<![\w.])4711(?![\w.])/);
      expect(text, name).not.toMatch(/\btrue\b/);
      expect(error.issues?.map((issue) => issue.path).sort(), name).toEqual([["owner"], ["pin"], ["vip"]]);
    }
  });

  it("is retried (500) when the schema itself throws", async () => {
    const onError = vi.fn();
    const broken = z.object({ tenant: z.string() }).refine(() => {
      throw new Error("lookup failed");
    });
    const r = receiver({ metadata: broken, on: {}, onError });
    const result = await r.receive(delivery(upsertSuccessEvent({ metadata: { tenant: "acme" } })));
    expect(result.response?.status).toBe(500);
    expect(errorOf(result.response).code).toBe("handler_failed");
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: "lookup failed" });
  });
});

describe("the option", () => {
  it.each([
    ["a plain object", { tenant: "string" }],
    ["a function", () => true],
    ["another version", { "~standard": { version: 2, vendor: "x", validate: () => ({ value: 1 }) } }],
  ])("refuses %s at creation with invalid_config", (_name, metadata) => {
    expect(() => receiver({ metadata: metadata as never })).toThrow(
      expect.objectContaining({ code: "invalid_config", message: expect.stringMatching(/Standard Schema/) }),
    );
  });
});

describe("createVerifier", () => {
  it("returns the schema's output and rejects a mismatch with invalid_metadata (422)", async () => {
    const verifier = createVerifier({ ...base, metadata: Meta });
    const good = delivery(upsertSuccessEvent({ metadata: { tenant: "acme", extra: true } }));
    const { event } = await verifier.verify(good.body, good.headers);
    expect(event.type === "unknown" ? undefined : event.metadata).toEqual({ tenant: "acme" });
    const bad = delivery(upsertFailEvent({ metadata: { tenant: ["x"] } }));
    const error = await verifier.verify(bad.body, bad.headers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ code: "invalid_metadata", status: 422, issues: [{ path: ["tenant"] }] });
  });

  it("checks the signature first: a forgery with bad metadata is invalid_signature", async () => {
    const verifier = createVerifier({ ...base, metadata: Meta });
    const forged = delivery(upsertSuccessEvent({ metadata: {} }));
    forged.headers["svix-signature"] = `v1,${Buffer.alloc(32).toString("base64")}`;
    await expect(verifier.verify(forged.body, forged.headers)).rejects.toMatchObject({ code: "invalid_signature" });
  });
});
