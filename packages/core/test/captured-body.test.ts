import { describe, expect, it } from "vitest";
import { BODY_ALREADY_PARSED, capturedBody, isRawBody } from "../src/http/captured-body.js";

describe("capturedBody (which bodies captured before the verifier are raw)", () => {
  it("takes bytes and strings as raw, never a parsed object", () => {
    expect(isRawBody(Buffer.from("{}"))).toBe(true);
    expect(isRawBody(new Uint8Array(2))).toBe(true);
    expect(isRawBody("{}")).toBe(true);
    expect(isRawBody({ type: "upsert.success" })).toBe(false);
  });

  it("takes the first raw candidate, refusing it with 413 over the limit (counted in UTF-8 bytes)", () => {
    expect(capturedBody("express", 10, [undefined, "{}"], true)).toEqual({ body: "{}" });
    expect(capturedBody("express", 3, ["€€"], true)?.error?.code).toBe("payload_too_large");
    expect(capturedBody("express", 6, ["€€"], true)).toEqual({ body: "€€" });
    expect(capturedBody("express", 4, ["😀"], true)).toEqual({ body: "😀" });
    expect(capturedBody("express", 3, ["😀"], true)?.error?.code).toBe("payload_too_large");
  });

  it("answers body_already_parsed, with the framework's own message, when a parser consumed the stream", () => {
    for (const framework of Object.keys(BODY_ALREADY_PARSED) as (keyof typeof BODY_ALREADY_PARSED)[]) {
      const outcome = capturedBody(framework, 10, [{ parsed: true }], true);
      expect(outcome?.error?.code).toBe("body_already_parsed");
      expect(outcome?.error?.message).toBe(BODY_ALREADY_PARSED[framework]);
    }
  });

  it("reads the stream when nothing consumed it, even under a parsed placeholder", () => {
    expect(capturedBody("express", 10, [undefined, {}], false)).toBeUndefined();
  });
});
