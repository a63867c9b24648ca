// What each answer of the delivery pipeline says to the sender: its code, the guidance its
// message gives (retry, or do not), its body when it succeeds, and the headers it carries.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { signIndependently } from "../../../test/support/independent-signer.js";
import type { WebhookResponse } from "../src/http/responses.js";
import {
  type DedupeStore,
  type HandOff,
  memoryStore,
  permanentFailure,
  WebhookVerificationError,
} from "../src/index.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { type HarnessInput, harness } from "./pipeline-harness.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW_S = 1_700_000_000;
const quiet = { secret: SECRET, now: () => NOW_S * 1000, onError: () => {}, log: false as const };

function delivery(options: { id?: string; secret?: string; metadata?: Record<string, unknown> } = {}) {
  const body = JSON.stringify(upsertSuccessEvent(options.metadata ? { metadata: options.metadata } : {}));
  const signed = signIndependently(options.secret ?? SECRET, body, {
    timestamp: NOW_S,
    ...(options.id ? { id: options.id } : {}),
  });
  return { method: "POST", headers: signed.headers, body: Buffer.from(body) };
}

/** The one answer a delivery gets (no route after the pipeline). */
async function answerTo(options: ColivaraWebhookOptions, input: HarnessInput = delivery()): Promise<WebhookResponse> {
  const { response } = await harness({ ...quiet, ...options } as ColivaraWebhookOptions).receive(input);
  if (response === undefined) throw new Error("the delivery was forwarded instead of answered");
  return response;
}

function errorOf(response: WebhookResponse): { code: string; message: string } {
  return (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
}

const throwing = (error: unknown) => ({
  on: {
    "upsert.success": () => {
      throw error;
    },
  },
});

describe("answers the sender retries", () => {
  it("409 delivery_in_progress tells it to retry later", async () => {
    const dedupe = memoryStore();
    await dedupe.claim("msg_busy");
    const response = await answerTo({ dedupe, on: {} }, delivery({ id: "msg_busy" }));
    expect(response.status).toBe(409);
    expect(errorOf(response).code).toBe("delivery_in_progress");
    expect(errorOf(response).message).toContain("retry later");
  });

  it("503 dedupe_unavailable says the delivery will be retried", async () => {
    const down: DedupeStore = {
      claim: () => Promise.reject(new Error("ECONNREFUSED")),
      complete: async () => {},
      release: async () => {},
    };
    const response = await answerTo({ dedupe: down, on: {} });
    expect(response.status).toBe(503);
    expect(errorOf(response)).toEqual({
      code: "dedupe_unavailable",
      message: expect.stringContaining("will be retried"),
    });
  });

  it("503 handoff_unavailable says the delivery will be retried", async () => {
    const down: HandOff = { enqueue: () => Promise.reject(new Error("ECONNREFUSED")) };
    const response = await answerTo({ handOff: down });
    expect(response.status).toBe(503);
    expect(errorOf(response)).toEqual({
      code: "handoff_unavailable",
      message: expect.stringContaining("will be retried"),
    });
  });

  it("500 handler_failed says the delivery will be retried, and nothing of the handler's error", async () => {
    const response = await answerTo(throwing(new Error("tenant lookup failed")));
    expect(response.status).toBe(500);
    expect(errorOf(response)).toEqual({ code: "handler_failed", message: expect.stringContaining("will be retried") });
    expect(response.body).not.toContain("tenant lookup failed");
  });

  it("500 handler_failed for a fault before the handler, saying it was internal", async () => {
    const response = await answerTo({}, { ...delivery(), bodyError: new Error("socket detail") });
    expect(response.status).toBe(500);
    expect(errorOf(response)).toEqual({ code: "handler_failed", message: expect.stringContaining("Internal error") });
    expect(response.body).not.toContain("socket detail");
  });

  it("500 invalid_config points to the server log, not the configuration detail", async () => {
    const detail = "Set COLIVARA_WEBHOOK_SECRET to the endpoint's whsec_ secret.";
    const response = await answerTo(throwing(new WebhookVerificationError("invalid_config", detail)));
    expect(response.status).toBe(500);
    expect(errorOf(response).code).toBe("invalid_config");
    expect(errorOf(response).message).toContain("misconfigured");
    expect(errorOf(response).message).toContain("server log says how to fix it");
    expect(response.body).not.toContain("COLIVARA_WEBHOOK_SECRET");
  });
});

describe("answers that tell the sender to stop (422, webhook-delivery: abort-message)", () => {
  it("permanent_failure: refused for good", async () => {
    const response = await answerTo({ ...throwing(permanentFailure("tenant deleted")), deadLetter: () => {} });
    expect(response.status).toBe(422);
    expect(response.headers["webhook-delivery"]).toBe("abort-message");
    expect(errorOf(response).code).toBe("permanent_failure");
    expect(errorOf(response).message).toContain("refused for good; do not retry it");
    expect(response.body).not.toContain("tenant deleted");
  });

  it("invalid_metadata: the metadata does not match the schema", async () => {
    const metadata = z.object({ tenant: z.string() });
    const response = await answerTo({ metadata, on: {}, deadLetter: () => {} }, delivery({ metadata: { tenant: 7 } }));
    expect(response.status).toBe(422);
    expect(response.headers["webhook-delivery"]).toBe("abort-message");
    expect(errorOf(response).code).toBe("invalid_metadata");
    expect(errorOf(response).message).toContain("metadata does not match this endpoint's schema");
    expect(errorOf(response).message).toContain("do not retry it");
  });
});

describe("answers that succeed", () => {
  it("202 for a delivery the hand-off stored, saying it was accepted", async () => {
    const queue: HandOff = { enqueue: async () => "stored" };
    const response = await answerTo({ handOff: queue });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ accepted: true });
  });
});

describe("connection: close", () => {
  it("is sent only where the upload is cut short (413, 408), not with a refused signature or payload", async () => {
    const forged = await answerTo({}, delivery({ secret: "whsec_dGhpcy1pcy1hbm90aGVyLXNlY3JldC0yNA==" }));
    expect(forged.status).toBe(401);
    expect(forged.headers).toEqual({ "content-type": "application/json; charset=utf-8" });
    const notJson = signIndependently(SECRET, "not json", { timestamp: NOW_S });
    const refused = await answerTo({}, { method: "POST", headers: notJson.headers, body: Buffer.from("not json") });
    expect(refused.status).toBe(400);
    expect(refused.headers.connection).toBeUndefined();
  });
});
