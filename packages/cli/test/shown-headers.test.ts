import { describe, expect, it } from "vitest";
import { shortenSignature, showHeaders } from "../src/shown-headers.js";
import { parseDelivery } from "../src/verify-command.js";

describe("shortenSignature", () => {
  it("keeps the version and 8 characters of each MAC", () => {
    const one = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=";
    expect(shortenSignature(one)).toBe("v1,K5oZfzN9…");
    expect(shortenSignature(`${one} v1a,abcdefghijkl`)).toBe("v1,K5oZfzN9… v1a,abcdefgh…");
    expect(shortenSignature("short")).toBe("short");
  });
});

describe("showHeaders", () => {
  it("hides credentials and shortens signatures, keeping order and names", () => {
    expect(
      showHeaders([
        ["Svix-Id", "msg_1"],
        ["webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="],
        ["Authorization", "Bearer abc"],
      ]),
    ).toEqual([
      ["Svix-Id", "msg_1"],
      ["webhook-signature", "v1,K5oZfzN9…"],
      ["Authorization", "(hidden, 10 characters)"],
    ]);
  });
});

describe("parseDelivery", () => {
  it("reads pasted headers (skipping a request line), a blank line and the exact body", () => {
    const text = 'POST /hook HTTP/1.1\r\nsvix-id: msg_1\r\nsvix-timestamp: 1700000000\r\n\r\n{"a": 1}\n';
    expect(parseDelivery(text)).toEqual({
      headers: [
        ["svix-id", "msg_1"],
        ["svix-timestamp", "1700000000"],
      ],
      body: '{"a": 1}\n',
    });
  });

  it("reads a saved delivery, headers as an object or as pairs", () => {
    expect(parseDelivery('{"headers":{"svix-id":"msg_1"},"body":"{}"}')).toEqual({
      headers: [["svix-id", "msg_1"]],
      body: "{}",
    });
    expect(parseDelivery('{"headers":[["svix-id","msg_2"]],"body":""}').headers).toEqual([["svix-id", "msg_2"]]);
  });
});
