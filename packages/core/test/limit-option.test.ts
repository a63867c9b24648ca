// The limit option as users write it (a byte count, or "512kb" as in Express), and the 413's
// message: what each accepts, refuses, and says to do.
import { describe, expect, it } from "vitest";
import { parseLimit, payloadTooLarge } from "../src/http/limit.js";
import { WebhookVerificationError } from "../src/index.js";

function refusal(limit: unknown): WebhookVerificationError {
  try {
    parseLimit(limit as number | string);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error(`parseLimit accepted ${JSON.stringify(limit)}`);
}

describe("parseLimit", () => {
  it.each([
    ["a plain count as a string", "512", 512],
    ["blanks and upper case", " 1 MB ", 1024 * 1024],
    ["a fraction of megabytes", "1.25mb", 1.25 * 1024 * 1024],
    ["a fraction of kilobytes", "1.5kb", 1536],
    ["gigabytes", "1gb", 1024 ** 3],
  ])("reads %s", (_label, limit, bytes) => {
    expect(parseLimit(limit)).toBe(bytes);
  });

  it.each([
    ["a fractional number", 1.5],
    ["a negative string", "-1"],
    ["text before the size", "x1mb"],
    ["text after the unit", "1mbx"],
    ["zero with a unit", "0kb"],
    ["a size under one byte", "0.0001kb"],
  ])("refuses %s at start-up, saying what it expects", (_label, limit) => {
    const error = refusal(limit);
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain('a string like "1mb" or "512kb"');
    expect(error.message).toContain(JSON.stringify(limit));
  });
});

describe("payloadTooLarge", () => {
  it("names the limit and says when to raise it", () => {
    const error = payloadTooLarge(2048);
    expect(error.code).toBe("payload_too_large");
    expect(error.status).toBe(413);
    expect(error.message).toContain("2048-byte limit");
    expect(error.message).toContain("raise the limit option only if you expect bigger ones");
  });
});
