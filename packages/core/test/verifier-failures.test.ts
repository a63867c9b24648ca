// How the verifier fails: closed on an unexpected fault (with its cause kept), on a body that
// is not UTF-8, and at start-up on a bad tolerance.
import { describe, expect, it } from "vitest";
import { createVerifier, WebhookVerificationError } from "../src/index.js";
import { NOW_MS, SECRET, signed } from "./hostile-cases.js";

const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });

/** What `promise` rejected with; a test fails when it resolves. */
function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as WebhookVerificationError,
  );
}

describe("verifier failures", () => {
  it("a fault while reading headers is a rejection that keeps its cause", async () => {
    const fault = new Error("hostile getter");
    const headers = {
      get(): string {
        throw fault;
      },
    };
    const error = await rejection(verifier.verify("{}", headers));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.code).toBe("invalid_signature");
    expect(error.message).toContain("could not be verified");
    expect(error.cause).toBe(fault);
  });

  it("a genuinely signed body that is not UTF-8 says so", async () => {
    const body = Uint8Array.from([0x7b, 0xff, 0x7d]);
    const { headers } = signed(body);
    const error = await rejection(verifier.verify(body, headers as Record<string, string>));
    expect(error.code).toBe("invalid_payload");
    expect(error.message).toContain("the body is not UTF-8");
  });

  it("a bad tolerance names its unit", () => {
    expect(() => createVerifier({ secret: SECRET, toleranceSeconds: -1 })).toThrow(/non-negative number of seconds/);
  });
});
