// bodyReadError: a body reader's failure (raw-body, Fastify, Hono, a Node stream) mapped to the
// failure table by its conventional type/status/code, with a message that says what happened.
import { describe, expect, it } from "vitest";
import { bodyReadError } from "../src/http/limit.js";

describe("bodyReadError", () => {
  it.each([
    ["raw-body's type alone", { type: "entity.too.large" }],
    ["Fastify's statusCode", { statusCode: 413, code: "FST_ERR_CTP_BODY_TOO_LARGE" }],
    ["Hono's HTTPException status", { status: 413 }],
  ])("answers 413 for %s", (_label, error) => {
    const mapped = bodyReadError(error, 1024);
    expect(mapped.code).toBe("payload_too_large");
    expect(mapped.message).toContain("1024-byte limit");
  });

  it("answers 500 body_already_parsed for a stream something else read, naming the fix", () => {
    const mapped = bodyReadError({ type: "stream.not.readable", status: 500 }, 1024);
    expect(mapped.code).toBe("body_already_parsed");
    expect(mapped.status).toBe(500);
    expect(mapped.message).toContain("mount the verifier first");
  });

  it.each([
    ["raw-body's request.aborted", { type: "request.aborted", code: "ECONNABORTED" }],
    ["a socket reset", Object.assign(new Error("aborted"), { code: "ECONNRESET" })],
  ])("answers 400 saying the client aborted, for %s", (_label, error) => {
    const mapped = bodyReadError(error, 1024);
    expect(mapped.code).toBe("invalid_payload");
    expect(mapped.message).toContain("The client aborted the request");
  });

  it("answers 400 for any other failure, keeping it as the cause", () => {
    const failure = Object.assign(new Error("incorrect header check"), { code: "Z_DATA_ERROR" });
    const mapped = bodyReadError(failure, 1024);
    expect(mapped.code).toBe("invalid_payload");
    expect(mapped.message).toContain("could not be read completely");
    expect(mapped.message).not.toContain("aborted");
    expect(mapped.cause).toBe(failure);
  });
});
