// Both HMAC engines: which configured secret is reported when several match, and when
// node:crypto is usable at all.
import { afterEach, describe, expect, it, vi } from "vitest";
import { signatureOf } from "../../../test/support/independent-signer.js";
import { createVerifier } from "../src/index.js";
import { type CheckFacts, createCheck } from "../src/verify/verifier.js";
import { ID, NOW_MS, OTHER_SECRET, SECRET, SUCCESS_BODY, TS } from "./hostile-cases.js";

const original = process.getBuiltinModule.bind(process);

afterEach(() => {
  vi.restoreAllMocks();
});

/** createCheck for both secrets, on node:crypto or (node:crypto hidden) on Web Crypto. */
function checkOn(engine: "node" | "web") {
  const options = { secret: [SECRET, OTHER_SECRET], now: () => NOW_MS };
  if (engine === "node") return createCheck(options);
  const spy = vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined as never);
  try {
    return createCheck(options);
  } finally {
    spy.mockRestore();
  }
}

describe.each(["node", "web"] as const)("%s engine", (kind) => {
  it("reports the first configured secret when both signatures of a rotation match", async () => {
    const { check, engine } = checkOn(kind);
    expect(engine).toBe(kind);
    const signature = `${signatureOf(OTHER_SECRET, ID, TS, SUCCESS_BODY)} ${signatureOf(SECRET, ID, TS, SUCCESS_BODY)}`;
    const facts: CheckFacts = { skewSeconds: undefined, secretIndex: undefined, id: undefined };
    await check(SUCCESS_BODY, { "svix-id": ID, "svix-timestamp": TS, "svix-signature": signature }, facts);
    expect(facts.secretIndex).toBe(0);
  });
});

describe("engine selection", () => {
  it("node:crypto without node:buffer falls back to Web Crypto", () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(((id: string) =>
      id === "node:buffer" ? undefined : original(id)) as typeof process.getBuiltinModule);
    expect(createVerifier({ secret: SECRET }).engine).toBe("web");
  });
});
