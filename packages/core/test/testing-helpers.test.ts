import { describe, expect, expectTypeOf, it } from "vitest";
import { macOf } from "../../../test/support/independent-signer.js";
import {
  createVerifier,
  type UpsertFailEvent,
  type UpsertSuccessEvent,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import { type SignedWebhook, signWebhook, upsertFailEvent, upsertSuccessEvent } from "../src/testing.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW_S = 1_700_000_000;
const verifier = createVerifier({ secret: SECRET, now: () => NOW_S * 1000 });

describe("signWebhook", () => {
  it("serialises an object payload with JSON.stringify and signs exactly that", () => {
    const payload = { type: "upsert.fail", nested: { a: [1, "\u00e9"] } };
    const signed = signWebhook({ secret: SECRET, payload, id: "msg_a", timestamp: NOW_S });
    expect(signed.body).toBe(JSON.stringify(payload));
    expect(signed.headers).toEqual({
      "svix-id": "msg_a",
      "svix-timestamp": String(NOW_S),
      "svix-signature": `v1,${macOf(SECRET, "msg_a", NOW_S, JSON.stringify(payload))}`,
      "content-type": "application/json",
    });
  });

  it("keeps a string payload byte for byte", () => {
    const body = '{ "type" : "upsert.fail" ,\n "x": 1 }\n';
    const signed = signWebhook({ secret: SECRET, payload: body, id: "msg_b", timestamp: NOW_S });
    expect(signed.body).toBe(body);
    expect(signed.headers["svix-signature"]).toBe(`v1,${macOf(SECRET, "msg_b", NOW_S, body)}`);
  });

  it("takes the timestamp as a Date (floored to seconds) or as seconds", () => {
    const byDate = signWebhook({ secret: SECRET, payload: "{}", id: "msg_c", timestamp: new Date(NOW_S * 1000 + 999) });
    const bySeconds = signWebhook({ secret: SECRET, payload: "{}", id: "msg_c", timestamp: NOW_S });
    expect(byDate.headers["svix-timestamp"]).toBe(String(NOW_S));
    expect(byDate.headers).toEqual(bySeconds.headers);
  });

  it("defaults to a fresh msg_ id and the current time, which a real-clock verifier accepts", async () => {
    const a = signWebhook({ secret: SECRET, payload: upsertSuccessEvent() });
    const b = signWebhook({ secret: SECRET, payload: upsertSuccessEvent() });
    expect(a.headers["svix-id"]).toMatch(/^msg_[A-Za-z0-9]{20,}$/);
    expect(a.headers["svix-id"]).not.toBe(b.headers["svix-id"]);
    expect(a.headers["svix-timestamp"]).toMatch(/^[1-9][0-9]{9}$/);
    const webhook = await createVerifier({ secret: SECRET }).verify(a.body, a.headers);
    expect(webhook.id).toBe(a.headers["svix-id"]);
    expect(webhook.event).toEqual(upsertSuccessEvent());
  });

  it("accepts the secret with or without whsec_, and refuses a bad one with invalid_config", () => {
    const withPrefix = signWebhook({ secret: SECRET, payload: "{}", id: "msg_d", timestamp: NOW_S });
    const without = signWebhook({ secret: SECRET.slice(6), payload: "{}", id: "msg_d", timestamp: NOW_S });
    expect(without.headers).toEqual(withPrefix.headers);
    for (const secret of ["", "whsec_", "whsec_abc$%", `whsec_${Buffer.alloc(16).toString("base64")}`]) {
      let thrown: unknown;
      try {
        signWebhook({ secret, payload: "{}" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WebhookVerificationError);
      expect((thrown as WebhookVerificationError).code).toBe("invalid_config");
    }
  });

  it("a signed delivery verifies as sent, and fails once tampered", async () => {
    const signed = signWebhook({ secret: SECRET, payload: upsertFailEvent(), id: "msg_e", timestamp: NOW_S });
    expect((await verifier.verify(signed.body, signed.headers)).event).toEqual(upsertFailEvent());
    await expect(verifier.verify(`${signed.body} `, signed.headers)).rejects.toMatchObject({
      code: "invalid_signature",
    });
  });

  it("has the documented types", () => {
    expectTypeOf(signWebhook).parameter(0).toHaveProperty("payload").toEqualTypeOf<object | string>();
    expectTypeOf(signWebhook).returns.toEqualTypeOf<SignedWebhook>();
    expectTypeOf<SignedWebhook["headers"]["content-type"]>().toEqualTypeOf<"application/json">();
  });
});

describe("event factories", () => {
  it("upsertSuccessEvent is a realistic, fully typed upsert.success payload the verifier accepts", async () => {
    const event = upsertSuccessEvent();
    expectTypeOf(event).toEqualTypeOf<UpsertSuccessEvent>();
    expect(event.type).toBe("upsert.success");
    expect(Number.isSafeInteger(event.id)).toBe(true);
    expect(Number.isSafeInteger(event.num_pages)).toBe(true);
    const signed = signWebhook({ secret: SECRET, payload: event, id: "msg_f", timestamp: NOW_S });
    const webhook = await verifier.verify(signed.body, signed.headers);
    expect(webhook.event).toEqual(event);
    expect(webhook.event.type).toBe("upsert.success");
  });

  it("upsertFailEvent is a realistic upsert.fail payload the verifier accepts", async () => {
    const event = upsertFailEvent();
    expectTypeOf(event).toEqualTypeOf<UpsertFailEvent>();
    expect(event.type).toBe("upsert.fail");
    expect(event.error.length).toBeGreaterThan(0);
    const signed = signWebhook({ secret: SECRET, payload: event, id: "msg_g", timestamp: NOW_S });
    expect((await verifier.verify(signed.body, signed.headers)).event).toEqual(event);
  });

  it("apply overrides and return fresh objects", () => {
    const a = upsertSuccessEvent({ name: "q3.pdf", num_pages: 12, metadata: { k: "v" } });
    expect(a).toMatchObject({ type: "upsert.success", name: "q3.pdf", num_pages: 12, metadata: { k: "v" } });
    const b = upsertFailEvent({ error: "too big" });
    expect(b.error).toBe("too big");
    expect(upsertSuccessEvent()).not.toBe(upsertSuccessEvent());
    expect(upsertSuccessEvent().name).not.toBe("q3.pdf");
  });

  it("a factory event with a broken field is refused as invalid_payload", async () => {
    const broken = { ...upsertSuccessEvent(), num_pages: "12" };
    const signed = signWebhook({ secret: SECRET, payload: broken, timestamp: NOW_S });
    await expect(verifier.verify(signed.body, signed.headers)).rejects.toMatchObject({
      code: "invalid_payload",
      status: 400,
    });
  });

  it("verify's result is typed as a VerifiedWebhook", () => {
    expectTypeOf(verifier.verify).returns.toEqualTypeOf<Promise<VerifiedWebhook>>();
  });
});
