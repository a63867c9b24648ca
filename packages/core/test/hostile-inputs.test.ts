import { afterAll, describe, expect, it } from "vitest";
import { createVerifier, ERROR_STATUS, WebhookVerificationError } from "../src/index.js";
import { attempt, HOSTILE_CASES, NOW_MS, SECRET, SUCCESS_BODY, svixHeaders } from "./hostile-cases.js";

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(() => {
  // No payload of the table may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe("hostile inputs (node:crypto engine)", () => {
  it("the table holds at least 60 cases with distinct names", () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(HOSTILE_CASES.map((c) => c.name)).size).toBe(HOSTILE_CASES.length);
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS, ...testCase.options });
    expect(verifier.engine).toBe("node");
    const outcome = await attempt(verifier, testCase.delivery());
    if ("code" in testCase.expect) {
      expect(outcome.ok ? "verified" : outcome.code).toBe(testCase.expect.code);
      if (!outcome.ok) expect(outcome.status).toBe(ERROR_STATUS[testCase.expect.code]);
    } else {
      expect(outcome.ok ? "verified" : outcome.code).toBe("verified");
      if (outcome.ok) expect(testCase.expect.check(outcome.webhook), testCase.expect.description).toBe(true);
    }
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error("verify resolved; a WebhookVerificationError was expected");
}

describe("failure details", () => {
  const verifier = createVerifier({ secret: SECRET, now: () => NOW_MS });

  it("rejects with a WebhookVerificationError carrying code, status and a JSON body", async () => {
    const error = await rejectionOf(verifier.verify(`${SUCCESS_BODY} `, svixHeaders() as Record<string, string>));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.name).toBe("WebhookVerificationError");
    expect(error.code).toBe("invalid_signature");
    expect(error.status).toBe(401);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ error: { code: "invalid_signature", message: error.message } });
  });

  it("never echoes the expected signature or the secret in a message", async () => {
    const headers = svixHeaders() as Record<string, string>;
    const expected = (headers["svix-signature"] as string).slice(3);
    const keyText = SECRET.slice("whsec_".length);
    for (const body of [`${SUCCESS_BODY} `, "", "[]", '{"type":1}']) {
      const error = await rejectionOf(verifier.verify(body, headers));
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(error.message).not.toContain(expected);
      expect(error.message).not.toContain(keyText);
      expect(JSON.stringify(error)).not.toContain(keyText);
    }
  });

  it("names the missing headers", async () => {
    const error = await rejectionOf(verifier.verify(SUCCESS_BODY, { "svix-id": "msg_1" }));
    expect(error.code).toBe("missing_headers");
    expect(error.message).toMatch(/^Missing webhook header\(s\): timestamp, signature\./);
  });

  it("says how to fix a parsed body", async () => {
    const error = await rejectionOf(
      verifier.verify({ type: "upsert.success" } as unknown as string, svixHeaders() as Record<string, string>),
    );
    expect(error.code).toBe("body_already_parsed");
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/raw request body/);
  });

  it("rejects (never throws synchronously) for every input", () => {
    const result = verifier.verify(null as unknown as string, null as unknown as Record<string, string>);
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toMatchObject({ code: "body_already_parsed" });
  });
});
