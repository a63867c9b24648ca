// What a bad secret's start-up error says: which mistake it is, and which entry.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createVerifier, type VerifierOptions, WebhookVerificationError } from "../src/index.js";
import { SECRET } from "./hostile-cases.js";

const ENV = "COLIVARA_WEBHOOK_SECRET";

afterEach(() => {
  vi.unstubAllEnvs();
});

function messageOf(options?: VerifierOptions): string {
  let thrown: unknown;
  try {
    createVerifier(options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WebhookVerificationError);
  expect((thrown as WebhookVerificationError).code).toBe("invalid_config");
  return (thrown as WebhookVerificationError).message;
}

/** Runs `body` while globalThis.process is `value` (synchronously), then puts it back. */
function withProcess<T>(value: unknown, body: () => T): T {
  const original = globalThis.process;
  (globalThis as { process: unknown }).process = value;
  try {
    return body();
  } finally {
    globalThis.process = original;
  }
}

describe("secret messages", () => {
  it("a blank secret is empty, not a bare prefix", () => {
    expect(messageOf({ secret: "   " })).toContain("The secret option is empty.");
  });

  it("a bare prefix says so", () => {
    expect(messageOf({ secret: "whsec_" })).toContain('The secret option is only the prefix "whsec_"');
  });

  it("a signature pasted as the secret says so", () => {
    expect(messageOf({ secret: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" })).toContain(
      "looks like a signature (v1,…) taken from a request header",
    );
  });

  it("v1, inside a secret is bad base64, not a signature", () => {
    const message = messageOf({ secret: "whsec_QUJDv1,REVG" });
    expect(message).toContain("is not valid base64");
    expect(message).not.toContain("looks like a signature");
  });

  it("one secret is not numbered; an array entry is", () => {
    expect(messageOf({ secret: "whsec_" })).not.toContain("(entry");
    expect(messageOf({ secret: ["whsec_"] })).not.toContain("(entry");
    expect(messageOf({ secret: [SECRET, "whsec_"] })).toContain("The secret option (entry 2) is only the prefix");
  });

  it("a blank environment variable is unset, not a list of separators", () => {
    vi.stubEnv(ENV, "   ");
    expect(messageOf()).toContain(`No webhook secret configured. Set the ${ENV} environment variable`);
  });

  it("no process (Workers, Deno): says to configure a secret", () => {
    expect(withProcess(undefined, () => messageOf())).toContain("No webhook secret configured");
    expect(withProcess({}, () => messageOf())).toContain("No webhook secret configured");
  });
});
