// Which signature entries count: the header length bound, a lone malformed entry, and
// entries that decode to the wrong number of bytes.
import { describe, expect, it } from "vitest";
import { createVerifier, type WebhookVerificationError } from "../src/index.js";
import { MAX_SIGNATURE_HEADER_LENGTH } from "../src/verify/signature.js";
import { ID, NOW_MS, SECRET, SUCCESS_BODY, sig, TS } from "./hostile-cases.js";

const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });

async function verdict(signature: string): Promise<string> {
  return verifier.verify(SUCCESS_BODY, { "svix-id": ID, "svix-timestamp": TS, "svix-signature": signature }).then(
    () => "ok",
    (error: WebhookVerificationError) => `${error.code}: ${error.message}`,
  );
}

describe("signature entries", () => {
  it("a header of exactly the maximum length is parsed", async () => {
    const header = `${sig()} ${"x".repeat(MAX_SIGNATURE_HEADER_LENGTH - 48)}`;
    expect(header).toHaveLength(MAX_SIGNATURE_HEADER_LENGTH);
    expect(await verdict(header)).toBe("ok");
    expect(await verdict(`${header}x`)).toMatch(/^invalid_signature/);
  });

  it("one entry of the right length but bad base64 gets the guidance on mismatches", async () => {
    const entry = `v1,${"*".repeat(44)}`;
    expect(entry).toHaveLength(47);
    expect(await verdict(entry)).toContain("invalid_signature: No webhook signature matches the configured secret");
  });

  it("an entry decoding to 33 bytes is skipped, and the genuine one after it still verifies", async () => {
    const long = `v1,${Buffer.alloc(33, 9).toString("base64")}`;
    expect(long).toHaveLength(47);
    expect(await verdict(`${long} ${sig()}`)).toBe("ok");
  });
});
