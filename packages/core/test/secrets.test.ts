import { afterEach, describe, expect, it, vi } from "vitest";
import { signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier, type VerifierOptions, WebhookVerificationError } from "../src/index.js";

const ENV = "COLIVARA_WEBHOOK_SECRET";
const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_B = `whsec_${Buffer.alloc(32, 0xab).toString("base64")}`;
const SECRET_C = `whsec_${Buffer.alloc(24, 0x5c).toString("base64")}`;
const NOW_S = 1_700_000_000;
const BODY = '{"type":"upsert.fail","message":"m","name":"n","metadata":{},"collection_name":"c","error":"e"}';

afterEach(() => {
  vi.unstubAllEnvs();
});

function headersFor(secret: string): Record<string, string> {
  return {
    "svix-id": "msg_1",
    "svix-timestamp": String(NOW_S),
    "svix-signature": signatureOf(secret, "msg_1", NOW_S, BODY),
  };
}

/** Calls createVerifier and returns what it threw synchronously. */
function configErrorOf(options?: VerifierOptions): WebhookVerificationError {
  let thrown: unknown;
  try {
    options === undefined ? createVerifier() : createVerifier(options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "createVerifier should have thrown").toBeInstanceOf(WebhookVerificationError);
  const error = thrown as WebhookVerificationError;
  expect(error.code).toBe("invalid_config");
  expect(error.status).toBe(500);
  return error;
}

async function verifies(options: VerifierOptions, signedWith: string): Promise<string> {
  const verifier = createVerifier({ ...options, now: () => NOW_S * 1000 });
  try {
    return (await verifier.verify(BODY, headersFor(signedWith))).event.type;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.code;
  }
}

const b64 = (bytes: number, fill = 7) => Buffer.alloc(bytes, fill).toString("base64");

// [label, secret text]: every one must be refused at creation, by option and by env.
const BAD_SECRETS: [string, string][] = [
  ["empty string", ""],
  ["whitespace only", "  \t\n "],
  ["bare whsec_", "whsec_"],
  ["bare whsec_ with spaces", "  whsec_  "],
  ["non-base64 characters", "whsec_abc$%^&*()defghijklmnopqrstuvwx"],
  ["url-safe alphabet", `whsec_${"-_".repeat(16)}`],
  ["url-safe form of a real key", `whsec_${Buffer.alloc(24, 0xfb).toString("base64url")}`],
  ["a space inside", "whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw"],
  ["quoted", '"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"'],
  ["double prefix", "whsec_whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  ["truncated by one character", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"],
  ["padding in the middle", "whsec_MfKQ9r8G=YqrTwjUPD8ILPZIo2LaLaSw"],
  ["non-canonical trailing bits", `whsec_${b64(25).slice(0, -3)}B==`],
  ["16-byte key", `whsec_${b64(16)}`],
  ["23-byte key", `whsec_${b64(23)}`],
  ["1-byte key", `whsec_${b64(1)}`],
  ["a pasted v1 signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ["a pasted signature list", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,AAAA"],
];

describe("createVerifier refuses bad secrets synchronously with invalid_config", () => {
  it.each(BAD_SECRETS)("option: %s", (_label, secret) => {
    const error = configErrorOf({ secret });
    expect(error.message).toMatch(/secret/i);
    expect(error.message).toContain("whsec_");
    const key = secret.trim().replace(/^whsec_/, "");
    if (key.length >= 4) expect(error.message).not.toContain(key);
  });

  it.each(BAD_SECRETS)("environment: %s", (_label, secret) => {
    vi.stubEnv(ENV, secret);
    const error = configErrorOf();
    expect(error.message).toContain(ENV);
    const key = secret.trim().replace(/^whsec_/, "");
    if (key.length >= 4) expect(error.message).not.toContain(key);
  });

  it.each(BAD_SECRETS)("array entry next to a good one: %s", (_label, secret) => {
    const error = configErrorOf({ secret: [SECRET_A, secret] });
    expect(error.message).toContain("entry 2");
    expect(error.message).not.toContain(SECRET_A.slice(6));
  });

  it("missing environment variable: says to set COLIVARA_WEBHOOK_SECRET", () => {
    vi.stubEnv(ENV, undefined);
    const error = configErrorOf();
    expect(error.message).toContain(`Set the ${ENV} environment variable`);
    expect(error.message).toContain("{ secret }");
    expect(configErrorOf({}).message).toContain(ENV);
    expect(configErrorOf({ secret: undefined }).message).toContain(ENV);
  });

  it("environment holding only separators", () => {
    for (const value of [",", ", ,", " ,\n, "]) {
      vi.stubEnv(ENV, value);
      expect(configErrorOf().message).toContain(ENV);
    }
  });

  it("an empty array", () => {
    expect(configErrorOf({ secret: [] }).message).toMatch(/empty array/);
  });

  it("non-string values and entries", () => {
    for (const secret of [42, null, true, {}, Buffer.from("x".repeat(32))]) {
      expect(configErrorOf({ secret: secret as unknown as string }).message).toMatch(/string/);
    }
    for (const entry of [42, null, undefined, {}, ["whsec_x"]]) {
      expect(configErrorOf({ secret: [SECRET_A, entry as unknown as string] }).message).toMatch(
        /entry 2\) must be a string/,
      );
    }
  });

  it("a message never repeats a secret, even a long valid-looking one that is too short", () => {
    const shortKey = b64(20);
    const error = configErrorOf({ secret: `whsec_${shortKey}` });
    expect(error.message).toMatch(/20 bytes/);
    expect(error.message).toMatch(/at least 24 bytes/);
    expect(error.message).not.toContain(shortKey);
  });
});

describe("accepted secrets", () => {
  it.each([
    ["with whsec_", SECRET_A],
    ["without whsec_", SECRET_A.slice(6)],
    ["surrounded by whitespace", `\n  ${SECRET_A}\t `],
    ["exactly 24 bytes", SECRET_C],
    ["a 32-byte key with padding", SECRET_B],
    ["an unpadded key", `whsec_${b64(25).replace(/=+$/, "")}`],
  ])("%s", async (_label, secret) => {
    const signer = secret.includes("whsec_") ? secret.trim() : `whsec_${secret}`;
    expect(await verifies({ secret }, signer)).toBe("upsert.fail");
  });

  it("an array of secrets: any one verifies, others do not", async () => {
    const options = { secret: [SECRET_A, SECRET_B] };
    expect(await verifies(options, SECRET_A)).toBe("upsert.fail");
    expect(await verifies(options, SECRET_B)).toBe("upsert.fail");
    expect(await verifies(options, SECRET_C)).toBe("invalid_signature");
  });

  it.each([
    ["comma", `${SECRET_A},${SECRET_B}`],
    ["comma and space", `${SECRET_A}, ${SECRET_B}`],
    ["space", `${SECRET_A} ${SECRET_B}`],
    ["newline and trailing comma", `\n${SECRET_A}\n${SECRET_B},\n`],
    ["one without prefix", `${SECRET_A.slice(6)} ${SECRET_B}`],
  ])("COLIVARA_WEBHOOK_SECRET with several secrets separated by %s (rotation)", async (_label, value) => {
    vi.stubEnv(ENV, value);
    expect(await verifies({}, SECRET_A)).toBe("upsert.fail");
    expect(await verifies({}, SECRET_B)).toBe("upsert.fail");
    expect(await verifies({}, SECRET_C)).toBe("invalid_signature");
  });

  it("the secret option wins over the environment", async () => {
    vi.stubEnv(ENV, SECRET_A);
    expect(await verifies({ secret: SECRET_B }, SECRET_B)).toBe("upsert.fail");
    expect(await verifies({ secret: SECRET_B }, SECRET_A)).toBe("invalid_signature");
  });

  it("the environment is read at creation, not per request", async () => {
    vi.stubEnv(ENV, SECRET_A);
    const verifier = createVerifier({ now: () => NOW_S * 1000 });
    vi.stubEnv(ENV, SECRET_B);
    expect((await verifier.verify(BODY, headersFor(SECRET_A))).event.type).toBe("upsert.fail");
  });
});

describe("toleranceSeconds", () => {
  it.each([
    ["negative", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a string", "300"],
    ["null", null],
  ])("refuses %s with invalid_config", (_label, value) => {
    const error = configErrorOf({ secret: SECRET_A, toleranceSeconds: value as unknown as number });
    expect(error.message).toMatch(/toleranceSeconds/);
  });

  it("accepts 0 and large values", () => {
    expect(() => createVerifier({ secret: SECRET_A, toleranceSeconds: 0 })).not.toThrow();
    expect(() => createVerifier({ secret: SECRET_A, toleranceSeconds: 86400 })).not.toThrow();
  });

  it("checks the secret before anything else is used", () => {
    vi.stubEnv(ENV, undefined);
    expect(configErrorOf({ toleranceSeconds: 10 }).message).toContain(ENV);
  });
});
