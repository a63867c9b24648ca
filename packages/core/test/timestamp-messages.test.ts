// What the timestamp checks say: the measured skew (or "centuries"), and what to do about it.
import { describe, expect, it } from "vitest";
import { signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier, WebhookVerificationError } from "../src/index.js";
import { parseTimestamp } from "../src/verify/timestamp.js";
import { ID, NOW_MS, SECRET, SUCCESS_BODY } from "./hostile-cases.js";

async function rejectionAt(timestamp: string): Promise<WebhookVerificationError> {
  const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });
  const headers = {
    "svix-id": ID,
    "svix-timestamp": timestamp,
    "svix-signature": signatureOf(SECRET, ID, timestamp, SUCCESS_BODY),
  };
  const error = await verifier.verify(SUCCESS_BODY, headers).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe("timestamp messages", () => {
  it("a malformed timestamp: says seconds are expected", async () => {
    const error = await rejectionAt("17e8");
    expect(error.code).toBe("invalid_timestamp");
    expect(error.message).toContain("integer number of seconds");
  });

  it("an empty timestamp is not the epoch", () => {
    expect(() => parseTimestamp("")).toThrow(WebhookVerificationError);
  });

  it("the value is the digits' integer, exact up to 15 digits", () => {
    for (const raw of [
      "0",
      "7",
      "10",
      "1700000000",
      "4294967295",
      "4294967296",
      "999999999999999",
      "123456789012345",
    ]) {
      expect(parseTimestamp(raw), raw).toBe(Number(raw));
    }
    expect(parseTimestamp("1000000000000000")).toBe(Number.POSITIVE_INFINITY);
  });

  it("15 digits: the skew in seconds; 16 digits: centuries", async () => {
    const fifteen = await rejectionAt("100000000000000");
    expect(fifteen.code).toBe("timestamp_too_new");
    expect(fifteen.message).toMatch(/signed \d+ s in the future/);
    const sixteen = await rejectionAt("1000000000000000");
    expect(sixteen.code).toBe("timestamp_too_new");
    expect(sixteen.message).toContain("signed centuries in the future");
  });

  it("both directions say to sync the clock", async () => {
    const old = await rejectionAt(String(Math.floor(NOW_MS / 1000) - 3600));
    expect(old.code).toBe("timestamp_too_old");
    expect(old.message).toContain("sync the server clock (NTP)");
    const future = await rejectionAt(String(Math.floor(NOW_MS / 1000) + 3600));
    expect(future.message).toContain("sync the server clock (NTP)");
  });
});
