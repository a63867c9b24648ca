// The hand-written base64 codec at its edges: what the strict decoder refuses, and the
// padding the encoder writes for each remainder length.
import { describe, expect, it } from "vitest";
import { decodeBase64Strict, encodeBase64 } from "../src/verify/base64.js";

describe("decodeBase64Strict", () => {
  it("refuses characters outside ASCII, even at the first code point past it", () => {
    for (const input of ["AAA\u0080", "AAA\u00e9", "\u0080AAA"]) expect(decodeBase64Strict(input)).toBeUndefined();
  });

  it("refuses a length of 4n+1 whatever its characters", () => {
    expect(decodeBase64Strict("AAAAA")).toBeUndefined();
    expect(decodeBase64Strict("A")).toBeUndefined();
  });

  it("takes padding only where it completes a group of four", () => {
    expect(decodeBase64Strict("AA=")).toBeUndefined();
    expect(decodeBase64Strict("AAA=A")).toBeUndefined();
    expect(decodeBase64Strict("AA==")).toEqual(new Uint8Array([0]));
    expect(decodeBase64Strict("AA")).toEqual(new Uint8Array([0]));
  });
});

describe("encodeBase64", () => {
  it("matches Node's standard base64 for every remainder length", () => {
    for (let length = 0; length <= 7; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => 0xf0 - 37 * i);
      expect(encodeBase64(bytes), `${length} bytes`).toBe(Buffer.from(bytes).toString("base64"));
    }
  });
});
