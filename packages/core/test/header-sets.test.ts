// Which header set a delivery is read from, and what a repeated or oddly cased header gives.
import { describe, expect, it } from "vitest";
import { createVerifier, WebhookVerificationError } from "../src/index.js";
import { ID, NOW_MS, SECRET, SUCCESS_BODY, sig, TS } from "./hostile-cases.js";

const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });
const WEBHOOK_SET = { "webhook-id": ID, "webhook-timestamp": TS, "webhook-signature": sig() };
const wrongEntry = `v1,${Buffer.alloc(32, 7).toString("base64")}`;

async function verdict(headers: Record<string, unknown>): Promise<string> {
  return verifier.verify(SUCCESS_BODY, headers as Record<string, string>).then(
    (webhook) => `ok ${webhook.id}`,
    (error: unknown) => (error instanceof WebhookVerificationError ? error.code : String(error)),
  );
}

describe("header sets", () => {
  it("a repeated header (Node's string[]) keeps every value", async () => {
    expect(await verdict({ "svix-id": [ID], "svix-timestamp": TS, "svix-signature": [wrongEntry, sig()] })).toBe(
      `ok ${ID}`,
    );
  });

  it("non-string items of a header array are left out", async () => {
    expect(await verdict({ "svix-id": [ID, undefined, 7], "svix-timestamp": TS, "svix-signature": sig() })).toBe(
      `ok ${ID}`,
    );
  });

  it("an exact-case name wins over another casing of it", async () => {
    const headers = { "SVIX-ID": "msg_forged", "svix-id": ID, "svix-timestamp": TS, "svix-signature": sig() };
    expect(await verdict(headers)).toBe(`ok ${ID}`);
  });

  it("svix-* headers that are empty arrays count as absent: webhook-* is read", async () => {
    expect(await verdict({ "svix-id": [], "svix-timestamp": [], "svix-signature": [], ...WEBHOOK_SET })).toBe(
      `ok ${ID}`,
    );
  });

  it("a partial svix-* set is not completed from webhook-*", async () => {
    expect(await verdict({ "svix-timestamp": TS, ...WEBHOOK_SET })).toBe("missing_headers");
    expect(await verdict({ "svix-signature": sig(), ...WEBHOOK_SET })).toBe("missing_headers");
    expect(await verdict({ "svix-id": ID, ...WEBHOOK_SET })).toBe("missing_headers");
  });

  it("the message names the missing header", async () => {
    const message = await verifier.verify(SUCCESS_BODY, { "svix-timestamp": TS, "svix-signature": sig() }).then(
      () => "verified",
      (error: WebhookVerificationError) => error.message,
    );
    expect(message).toContain("Missing webhook header(s): id.");
  });
});
