import { createVerifier, isWebhookVerificationError } from "@colivara/webhooks";
import { signWebhook, upsertFailEvent, upsertSuccessEvent } from "@colivara/webhooks/testing";
import { describe, expect, it } from "vitest";
import { generateSecret } from "../src/secret.js";
import { tamperBody } from "../src/tamper.js";

function differingBytes(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  expect(x.length).toBe(y.length);
  return x.reduce((count, byte, i) => count + (byte === y[i] ? 0 : 1), 0);
}

describe("tamperBody", () => {
  it("changes the case of one letter of the name, keeping valid JSON", () => {
    const body = JSON.stringify(upsertSuccessEvent());
    const { body: tampered, detail } = tamperBody(body);
    expect(differingBytes(body, tampered)).toBe(1);
    expect(JSON.parse(tampered)).toEqual({ ...upsertSuccessEvent(), name: "Annual-report-2025.pdf" });
    expect(detail).toBe('name "annual-report-2025.pdf" → "Annual-report-2025.pdf"');
  });

  it("skips escapes and keys, and works on pretty-printed bodies", () => {
    // In the JSON text: "\u001b\n\\né\"x": \u escapes, \n, an escaped backslash, an escaped quote.
    const name = '\u001b\n\\n\u00e9"x';
    const body = JSON.stringify({ name, other: 1 }, null, 2);
    expect(body).toContain('"\\u001b\\n\\\\né\\"x"');
    const { body: tampered } = tamperBody(body);
    expect(differingBytes(body, tampered)).toBe(1);
    expect(JSON.parse(tampered).name).toBe('\u001b\n\\N\u00e9"x');
  });

  it("without a name, the last string value; without letters, a digit; else a space", () => {
    expect(JSON.parse(tamperBody('{"type":"a","error":"boom"}').body)).toEqual({ type: "a", error: "Boom" });
    expect(tamperBody('{"n":41}').body).toBe('{"n":51}');
    expect(tamperBody("{}").body).toBe("{} ");
  });

  it("what it produces fails the real verifier with invalid_signature", async () => {
    const secret = generateSecret();
    const verifier = createVerifier({ secret });
    for (const payload of [upsertSuccessEvent(), upsertFailEvent()]) {
      const signed = signWebhook({ secret, payload });
      await expect(verifier.verify(signed.body, signed.headers)).resolves.toBeDefined();
      const error = await verifier.verify(tamperBody(signed.body).body, signed.headers).catch((e: unknown) => e);
      expect(isWebhookVerificationError(error) && error.code).toBe("invalid_signature");
    }
  });
});
