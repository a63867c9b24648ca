import { describe, expect, it } from "vitest";
import { macBytesOf, signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier, type VerifiedWebhook, WebhookVerificationError } from "../src/index.js";
import { signWebhook } from "../src/testing.js";
import { KNOWN_VECTORS, type KnownVector, STANDARD_WEBHOOKS_VECTOR, vectorHeaders } from "./known-vectors.js";

const at =
  (seconds: number, extraMs = 0) =>
  () =>
    seconds * 1000 + extraMs;

async function outcomeOf(promise: Promise<VerifiedWebhook>): Promise<string> {
  try {
    const webhook = await promise;
    return `event:${webhook.event.type}`;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.code;
  }
}

const expected = (vector: KnownVector): string =>
  "code" in vector.outcome ? vector.outcome.code : `event:${vector.outcome.eventType}`;

describe("the independent signer", () => {
  it.each(KNOWN_VECTORS.map((v) => [v.name, v] as const))("reproduces the literal signature: %s", (_name, vector) => {
    expect(signatureOf(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });
});

describe("verify on the known-answer vectors", () => {
  it.each(KNOWN_VECTORS.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    const verifier = createVerifier({ secret: vector.secret, now: at(vector.timestamp) });
    expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector, "svix")))).toBe(expected(vector));
    expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector, "webhook")))).toBe(expected(vector));
    // The same vector with one MAC bit flipped fails at the signature step instead.
    const mac = Buffer.from(vector.signature.slice(3), "base64");
    mac[31] = (mac[31] as number) ^ 1;
    const flipped = { ...vectorHeaders(vector), "svix-signature": `v1,${mac.toString("base64")}` };
    expect(await outcomeOf(verifier.verify(vector.body, flipped))).toBe("invalid_signature");
  });

  it("accepts the secret without its whsec_ prefix and with surrounding whitespace", async () => {
    for (const vector of KNOWN_VECTORS) {
      for (const secret of [vector.secret.slice("whsec_".length), `  ${vector.secret}\n`]) {
        const verifier = createVerifier({ secret, now: at(vector.timestamp) });
        expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector)))).toBe(expected(vector));
      }
    }
  });

  it("passes the signature step of the published vector: invalid_payload, not invalid_signature", async () => {
    const v = STANDARD_WEBHOOKS_VECTOR;
    const verifier = createVerifier({ secret: v.secret, now: at(v.timestamp) });
    const error = await verifier.verify(v.body, vectorHeaders(v, "webhook")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe("invalid_payload");
    expect((error as WebhookVerificationError).status).toBe(400);
    expect((error as WebhookVerificationError).message).toMatch(/"type"/);
  });

  it("returns the id, the signed time and the typed event", async () => {
    const vector = KNOWN_VECTORS[1] as KnownVector;
    const verifier = createVerifier({ secret: vector.secret, now: at(vector.timestamp, 999) });
    const webhook = await verifier.verify(vector.body, vectorHeaders(vector));
    expect(webhook.id).toBe("msg_p5jXN8AQM9LWM0D4loKWxJek");
    expect(webhook.timestamp).toEqual(new Date(1614265330 * 1000));
    expect(webhook.event).toEqual({
      type: "upsert.success",
      message: "Document upserted successfully",
      id: 17,
      name: "report.pdf",
      metadata: { team: "finance" },
      url: "https://example.com/report.pdf",
      num_pages: 3,
      collection_name: "default_collection",
    });
  });

  it("verifies byte bodies and string bodies alike", async () => {
    for (const vector of KNOWN_VECTORS) {
      const verifier = createVerifier({ secret: vector.secret, now: at(vector.timestamp) });
      const bytes = typeof vector.body === "string" ? new TextEncoder().encode(vector.body) : vector.body;
      expect(await outcomeOf(verifier.verify(bytes, vectorHeaders(vector)))).toBe(expected(vector));
      expect(await outcomeOf(verifier.verify(Buffer.from(bytes), vectorHeaders(vector)))).toBe(expected(vector));
      expect(await outcomeOf(verifier.verify(bytes.slice().buffer, vectorHeaders(vector)))).toBe(expected(vector));
    }
  });
});

describe("the injectable clock", () => {
  const vector = KNOWN_VECTORS[1] as KnownVector;
  const ts = vector.timestamp;
  const cases: [string, () => number, string][] = [
    ["at the signed second", at(ts), "event:upsert.success"],
    ["299.999 s later", at(ts + 299, 999), "event:upsert.success"],
    ["300.999 s later (boundary, floored to 300)", at(ts + 300, 999), "event:upsert.success"],
    ["301 s later", at(ts + 301), "timestamp_too_old"],
    ["300 s earlier (boundary)", at(ts - 300), "event:upsert.success"],
    ["301 s earlier", at(ts - 301), "timestamp_too_new"],
    ["300.001 s earlier (floored to 301)", at(ts - 301, 999), "timestamp_too_new"],
    ["a year later", at(ts + 365 * 86400), "timestamp_too_old"],
  ];
  it.each(cases)("%s", async (_name, now, outcome) => {
    const verifier = createVerifier({ secret: vector.secret, now });
    expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector)))).toBe(outcome);
  });

  it("uses the real clock by default: the 2021 vector is stale today", async () => {
    const verifier = createVerifier({ secret: vector.secret });
    expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector)))).toBe("timestamp_too_old");
  });

  it("honours a wider toleranceSeconds", async () => {
    const verifier = createVerifier({ secret: vector.secret, toleranceSeconds: 3600, now: at(ts + 3600) });
    expect(await outcomeOf(verifier.verify(vector.body, vectorHeaders(vector)))).toBe("event:upsert.success");
    const tight = createVerifier({ secret: vector.secret, toleranceSeconds: 3600, now: at(ts + 3601) });
    expect(await outcomeOf(tight.verify(vector.body, vectorHeaders(vector)))).toBe("timestamp_too_old");
  });
});

describe("signWebhook against the vectors", () => {
  const stringVectors = KNOWN_VECTORS.filter((v): v is KnownVector & { body: string } => typeof v.body === "string");

  it.each(stringVectors.map((v) => [v.name, v] as const))("signs %s to the literal value", (_name, vector) => {
    const byNumber = signWebhook({
      secret: vector.secret,
      payload: vector.body,
      id: vector.id,
      timestamp: vector.timestamp,
    });
    expect(byNumber.body).toBe(vector.body);
    expect(byNumber.headers).toEqual({
      "svix-id": vector.id,
      "svix-timestamp": String(vector.timestamp),
      "svix-signature": vector.signature,
      "content-type": "application/json",
    });
    const byDate = signWebhook({
      secret: vector.secret,
      payload: vector.body,
      id: vector.id,
      timestamp: new Date(vector.timestamp * 1000 + 999),
    });
    expect(byDate.headers["svix-signature"]).toBe(vector.signature);
    expect(byDate.headers["svix-timestamp"]).toBe(String(vector.timestamp));
  });

  it("matches the independent signer on many key sizes and bodies", async () => {
    for (const keyBytes of [24, 25, 31, 32, 33, 48, 64, 100]) {
      const key = Buffer.from(Array.from({ length: keyBytes }, (_, i) => (i * 31 + keyBytes) & 255));
      const secret = `whsec_${key.toString("base64")}`;
      for (const body of ["{}", '{"type":"x"}', `{"type":"upsert.fail","pad":"${"\u00e9".repeat(keyBytes)}"}`]) {
        const signed = signWebhook({ secret, payload: body, id: `msg_${keyBytes}`, timestamp: 1700000000 });
        const mac = macBytesOf(secret, `msg_${keyBytes}`, 1700000000, body);
        expect(signed.headers["svix-signature"]).toBe(`v1,${mac.toString("base64")}`);
        const verifier = createVerifier({ secret, now: at(1700000000) });
        const outcome = await outcomeOf(verifier.verify(signed.body, signed.headers));
        expect(outcome).not.toBe("invalid_signature");
      }
    }
  });
});
