// Interop with the real libraries ColiVara's sender side uses: what `svix` and
// `standardwebhooks` sign, we verify; what our signWebhook produces, they verify.
import fc from "fast-check";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { createVerifier, WebhookVerificationError } from "../src/index.js";
import { signWebhook, upsertFailEvent, upsertSuccessEvent } from "../src/testing.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = `whsec_${Buffer.alloc(32, 0x42).toString("base64")}`;
const NOW_S = 1_700_000_000;
const at = (seconds: number) => () => seconds * 1000;

function svixHeaders(id: string, seconds: number, signature: string): Record<string, string> {
  return { "svix-id": id, "svix-timestamp": String(seconds), "svix-signature": signature };
}

function unbranded(headers: Record<string, string>): Record<string, string> {
  return {
    "webhook-id": headers["svix-id"] as string,
    "webhook-timestamp": headers["svix-timestamp"] as string,
    "webhook-signature": headers["svix-signature"] as string,
  };
}

describe("what svix signs, we verify", () => {
  const svix = new SvixWebhook(SECRET);
  const verifier = createVerifier({ secret: SECRET, now: at(NOW_S) });

  it("an upsert.success delivery, with svix-* and with webhook-* headers", async () => {
    const body = JSON.stringify(upsertSuccessEvent({ name: "r\u00e9sum\u00e9 \u{1f4c4}.pdf" }));
    const signature = svix.sign("msg_svix_1", new Date(NOW_S * 1000), body);
    const headers = svixHeaders("msg_svix_1", NOW_S, signature);
    for (const h of [headers, unbranded(headers)]) {
      const webhook = await verifier.verify(body, h);
      expect(webhook.id).toBe("msg_svix_1");
      expect(webhook.timestamp).toEqual(new Date(NOW_S * 1000));
      expect(webhook.event).toEqual(JSON.parse(body));
    }
    // Raw bytes, as an adapter reads them.
    expect((await verifier.verify(Buffer.from(body), headers)).event.type).toBe("upsert.success");
  });

  it("a key given to svix without the whsec_ prefix", async () => {
    const body = JSON.stringify(upsertFailEvent());
    const signature = new SvixWebhook(SECRET.slice(6)).sign("msg_2", new Date(NOW_S * 1000), body);
    expect((await verifier.verify(body, svixHeaders("msg_2", NOW_S, signature))).event.type).toBe("upsert.fail");
  });

  it("a rotation: svix signs with each secret, the header lists both", async () => {
    const body = JSON.stringify(upsertFailEvent());
    const date = new Date(NOW_S * 1000);
    const both = `${new SvixWebhook(OTHER).sign("msg_3", date, body)} ${svix.sign("msg_3", date, body)}`;
    expect((await verifier.verify(body, svixHeaders("msg_3", NOW_S, both))).id).toBe("msg_3");
    const rotating = createVerifier({ secret: [OTHER, SECRET], now: at(NOW_S) });
    const onlyOld = svix.sign("msg_3", date, body);
    expect((await rotating.verify(body, svixHeaders("msg_3", NOW_S, onlyOld))).id).toBe("msg_3");
  });

  it("random JSON objects signed by svix and by standardwebhooks: always past the signature step", async () => {
    const standard = new StandardWebhook(SECRET);
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue().map((value) => JSON.stringify({ type: "x.random", value })),
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/),
        fc.integer({ min: -300, max: 300 }),
        async (body, id, skew) => {
          const date = new Date((NOW_S + skew) * 1000);
          for (const signature of [svix.sign(id, date, body), standard.sign(id, date, body)]) {
            const outcome = await verifier.verify(body, svixHeaders(id, NOW_S + skew, signature)).catch((e) => e);
            if (outcome instanceof WebhookVerificationError) {
              // fast-check likes "__proto__" and "constructor" keys: those bodies are refused on purpose.
              expect(outcome.code).toBe("invalid_payload");
              expect(body).toMatch(/"__proto__"|"constructor"/);
            } else {
              expect(outcome.event).toEqual({ type: "unknown", originalType: "x.random", payload: JSON.parse(body) });
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("what svix rejects as tampered, we reject too", async () => {
    const body = JSON.stringify(upsertSuccessEvent());
    const now = Math.floor(Date.now() / 1000);
    const signature = svix.sign("msg_t", new Date(now * 1000), body);
    const headers = svixHeaders("msg_t", now, signature);
    const ours = createVerifier({ secret: SECRET });
    const tampered = body.replace('"num_pages":48', '"num_pages":49');
    expect(() => svix.verify(tampered, headers)).toThrow();
    await expect(ours.verify(tampered, headers)).rejects.toMatchObject({ code: "invalid_signature" });
    expect(svix.verify(body, headers)).toEqual(JSON.parse(body));
    expect((await ours.verify(body, headers)).event).toEqual(JSON.parse(body));
  });
});

describe("what standardwebhooks signs, we verify", () => {
  it("with webhook-* headers", async () => {
    const standard = new StandardWebhook(SECRET);
    const body = JSON.stringify(upsertSuccessEvent({ num_pages: 7 }));
    const headers = unbranded(svixHeaders("msg_sw", NOW_S, standard.sign("msg_sw", new Date(NOW_S * 1000), body)));
    const webhook = await createVerifier({ secret: SECRET, now: at(NOW_S) }).verify(body, headers);
    expect(webhook.event).toEqual(upsertSuccessEvent({ num_pages: 7 }));
  });
});

describe("what signWebhook produces, svix and standardwebhooks verify", () => {
  it("default id and timestamp (now), object payload", () => {
    const payload = upsertSuccessEvent();
    const { body, headers } = signWebhook({ secret: SECRET, payload });
    expect(new SvixWebhook(SECRET).verify(body, headers)).toEqual(payload);
    expect(new StandardWebhook(SECRET).verify(body, unbranded(headers))).toEqual(payload);
  });

  it("a string payload with non-ASCII text and a Date timestamp", () => {
    const body = `{ "type": "upsert.fail", "name": "caf\u00e9 \u{1f4c4}" }`;
    const signed = signWebhook({ secret: SECRET, payload: body, id: "msg_x", timestamp: new Date() });
    expect(signed.body).toBe(body);
    expect(new SvixWebhook(SECRET).verify(signed.body, signed.headers)).toEqual(JSON.parse(body));
  });

  it("svix computes the same signature for a fixed id and time", () => {
    const payload = upsertFailEvent();
    const signed = signWebhook({ secret: SECRET, payload, id: "msg_fixed", timestamp: NOW_S });
    expect(signed.headers["svix-signature"]).toBe(
      new SvixWebhook(SECRET).sign("msg_fixed", new Date(NOW_S * 1000), JSON.stringify(payload)),
    );
  });

  it("svix rejects a signWebhook delivery made with another secret, and so do we", async () => {
    const { body, headers } = signWebhook({ secret: OTHER, payload: upsertFailEvent() });
    expect(() => new SvixWebhook(SECRET).verify(body, headers)).toThrow();
    const error = await createVerifier({ secret: SECRET })
      .verify(body, headers)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe("invalid_signature");
  });

  it("random payloads: svix verifies every one", () => {
    const svix = new SvixWebhook(OTHER);
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/),
        (payload, id) => {
          const signed = signWebhook({ secret: OTHER, payload, id });
          expect(svix.verify(signed.body, signed.headers)).toEqual(JSON.parse(signed.body));
        },
      ),
      { numRuns: 150 },
    );
  });
});
