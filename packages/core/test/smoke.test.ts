import { describe, expect, it } from "vitest";
import { createVerifier } from "../src/index.js";

describe("standard webhooks published vector", () => {
  it("verifies the spec example", async () => {
    const verifier = createVerifier({
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      now: () => 1614265330_000,
    });
    const webhook = await verifier
      .verify('{"test": 2432232314}', {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
      })
      .catch((e) => e);
    expect(webhook.code).toBe("invalid_payload"); // no "type" field: signature passed first
    expect(verifier.engine).toBe("node");
  });
});
