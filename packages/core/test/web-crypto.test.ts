// The Web Crypto engine (Next.js Edge, Workers, Deno, Bun without node:crypto), forced on
// Node by hiding node:crypto from the engine selection; nothing else is mocked.
import { afterEach, describe, expect, it, vi } from "vitest";
import { signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier, type Verifier, type VerifierOptions, WebhookVerificationError } from "../src/index.js";
import {
  attempt,
  HOSTILE_CASES,
  ID,
  NOW_MS,
  OTHER_SECRET,
  SECRET,
  SUCCESS_BODY,
  summary,
  TS,
} from "./hostile-cases.js";
import { KNOWN_VECTORS, vectorHeaders } from "./known-vectors.js";

type GetBuiltinModule = (id: string) => unknown;
const originalGetBuiltinModule = process.getBuiltinModule as GetBuiltinModule;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Creates a verifier while node:crypto is unreachable, then restores the runtime. */
function createWebVerifier(options: VerifierOptions): Verifier {
  const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
  try {
    return createVerifier(options);
  } finally {
    spy.mockRestore();
  }
}

describe("engine selection", () => {
  it("uses node:crypto on Node", () => {
    expect(createVerifier({ secret: SECRET }).engine).toBe("node");
  });

  it("uses Web Crypto when getBuiltinModule yields nothing", () => {
    expect(createWebVerifier({ secret: SECRET }).engine).toBe("web");
  });

  it("uses Web Crypto when process.getBuiltinModule does not exist", () => {
    const proc = process as { getBuiltinModule?: unknown };
    proc.getBuiltinModule = undefined;
    try {
      expect(createVerifier({ secret: SECRET }).engine).toBe("web");
    } finally {
      proc.getBuiltinModule = originalGetBuiltinModule;
    }
  });

  it("uses Web Crypto when getBuiltinModule throws", () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(() => {
      throw new Error("no built-ins here");
    });
    expect(createVerifier({ secret: SECRET }).engine).toBe("web");
  });

  it("uses Web Crypto when node:buffer lacks isUtf8 (an incomplete Node polyfill)", () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(((id: string) =>
      id === "node:buffer" ? {} : originalGetBuiltinModule.call(process, id)) as never);
    expect(createVerifier({ secret: SECRET }).engine).toBe("web");
  });

  it("fails at creation with invalid_config when neither engine exists", () => {
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
    vi.stubGlobal("crypto", undefined);
    let thrown: unknown;
    try {
      createVerifier({ secret: SECRET });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhookVerificationError);
    expect((thrown as WebhookVerificationError).code).toBe("invalid_config");
    expect((thrown as WebhookVerificationError).message).toMatch(/Web Crypto/);
  });

  it("keeps the engine chosen at creation after node:crypto comes back", async () => {
    const verifier = createWebVerifier({ secret: SECRET, now: () => NOW_MS });
    const headers = {
      "svix-id": ID,
      "svix-timestamp": TS,
      "svix-signature": signatureOf(SECRET, ID, TS, SUCCESS_BODY),
    };
    expect((await verifier.verify(SUCCESS_BODY, headers)).event.type).toBe("upsert.success");
    expect(verifier.engine).toBe("web");
  });
});

describe("the same hostile table on both engines", () => {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const options = { secret: SECRET, now: () => NOW_MS, ...testCase.options };
    const node = createVerifier(options);
    const web = createWebVerifier(options);
    expect([node.engine, web.engine]).toEqual(["node", "web"]);
    const viaWeb = await attempt(web, testCase.delivery());
    const viaNode = await attempt(node, testCase.delivery());
    expect(summary(viaWeb)).toBe(summary(viaNode));
    if ("code" in testCase.expect) {
      expect(viaWeb.ok ? "verified" : viaWeb.code).toBe(testCase.expect.code);
    } else {
      expect(viaWeb.ok ? "verified" : viaWeb.code).toBe("verified");
      if (viaWeb.ok) expect(testCase.expect.check(viaWeb.webhook), testCase.expect.description).toBe(true);
    }
  });
});

describe("known-answer vectors on both engines", () => {
  it.each(KNOWN_VECTORS.map((v) => [v.name, v] as const))("%s", async (_name, vector) => {
    const options = { secret: vector.secret, now: () => vector.timestamp * 1000 };
    const results: string[] = [];
    for (const verifier of [createVerifier(options), createWebVerifier(options)]) {
      for (const prefix of ["svix", "webhook"] as const) {
        results.push(summary(await attempt(verifier, { body: vector.body, headers: vectorHeaders(vector, prefix) })));
      }
    }
    expect(new Set(results).size).toBe(1);
    const first = JSON.parse(results[0] as string) as { code?: string; event?: { type: string } };
    if ("code" in vector.outcome) expect(first.code).toBe(vector.outcome.code);
    else expect(first.event?.type).toBe(vector.outcome.eventType);
  });
});

describe("Web Crypto key handling", () => {
  it("imports each key once per verifier, even under concurrent first calls", async () => {
    const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey");
    const verifier = createWebVerifier({ secret: [OTHER_SECRET, SECRET], now: () => NOW_MS });
    const headers = {
      "svix-id": ID,
      "svix-timestamp": TS,
      "svix-signature": signatureOf(SECRET, ID, TS, SUCCESS_BODY),
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => verifier.verify(SUCCESS_BODY, headers)));
    expect(results.map((r) => r.event.type)).toEqual(Array(8).fill("upsert.success"));
    await verifier.verify(SUCCESS_BODY, headers);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it("verifies with any secret of a rotation", async () => {
    const verifier = createWebVerifier({ secret: [SECRET, OTHER_SECRET], now: () => NOW_MS });
    for (const secret of [SECRET, OTHER_SECRET]) {
      const headers = {
        "svix-id": ID,
        "svix-timestamp": TS,
        "svix-signature": signatureOf(secret, ID, TS, SUCCESS_BODY),
      };
      expect((await verifier.verify(SUCCESS_BODY, headers)).id).toBe(ID);
    }
    const third = "whsec_ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm";
    const headers = { "svix-id": ID, "svix-timestamp": TS, "svix-signature": signatureOf(third, ID, TS, SUCCESS_BODY) };
    await expect(verifier.verify(SUCCESS_BODY, headers)).rejects.toMatchObject({ code: "invalid_signature" });
  });
});
