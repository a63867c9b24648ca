// The core's body readers on real streams: BodyBuffer, readNodeBody (a node:stream Readable
// stands in for the request: the reader only uses the stream interface) and readFetchBody.
import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BodyBuffer } from "../src/http/body-buffer.js";
import { readFetchBody } from "../src/http/read-fetch-body.js";
import { readNodeBody } from "../src/http/read-node-body.js";
import type { WebhookVerificationError } from "../src/index.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body);

describe("BodyBuffer", () => {
  it("takes a body exactly at the limit and refuses one byte more, keeping what it had", () => {
    const buffer = new BodyBuffer(4);
    expect(buffer.append(bytes("ab"))).toBe(true);
    expect(buffer.append(bytes("cd"))).toBe(true);
    expect(buffer.append(bytes("e"))).toBe(false);
    expect(text(buffer.bytes())).toBe("abcd");
  });

  it("keeps a single chunk as it is (no copy)", () => {
    const chunk = bytes("{}");
    const buffer = new BodyBuffer(10, 2);
    buffer.append(chunk);
    expect(buffer.bytes()).toBe(chunk);
  });

  it("gives an empty body for no chunks or empty ones", () => {
    const buffer = new BodyBuffer(10, 0);
    expect(buffer.append(new Uint8Array(0))).toBe(true);
    expect(buffer.bytes().byteLength).toBe(0);
  });

  it("collects one-byte chunks into one buffer of exactly the declared length", () => {
    const body = "x".repeat(5000);
    const buffer = new BodyBuffer(10_000, body.length);
    for (const char of body) buffer.append(bytes(char));
    const result = buffer.bytes();
    expect(text(result)).toBe(body);
    expect(result.buffer.byteLength).toBe(body.length);
  });

  it("grows geometrically, at most to the limit, when no length is declared", () => {
    const buffer = new BodyBuffer(3000);
    for (let i = 0; i < 3000; i++) expect(buffer.append(bytes("y"))).toBe(true);
    expect(buffer.bytes().buffer.byteLength).toBeLessThanOrEqual(3000);
    expect(buffer.append(bytes("y"))).toBe(false);
  });

  it("treats a declared length as a hint both ways: a shorter or a longer body is what arrives", () => {
    const longer = new BodyBuffer(100, 3);
    for (const char of "abcdef") longer.append(bytes(char));
    expect(text(longer.bytes())).toBe("abcdef");
    const shorter = new BodyBuffer(100, 50);
    for (const char of "ab") shorter.append(bytes(char));
    expect(text(shorter.bytes())).toBe("ab");
  });

  it("does not reserve a large declared length before its bytes arrive", () => {
    const buffer = new BodyBuffer(1 << 20, 1 << 20);
    buffer.append(bytes("a"));
    buffer.append(bytes("b"));
    expect(buffer.bytes().buffer.byteLength).toBeLessThan(1 << 17);
  });

  it("reserves a large declared length in one step once half of it has arrived, never more than twice what arrived", () => {
    const declared = 200_000;
    const buffer = new BodyBuffer(1 << 20, declared);
    buffer.append(new Uint8Array(30_000));
    buffer.append(new Uint8Array(30_000));
    // 60,000 of 200,000: still growing by doubling, within twice what arrived.
    expect(buffer.bytes().buffer.byteLength).toBeLessThanOrEqual(2 * 60_000);
    buffer.append(new Uint8Array(40_000));
    // Half has arrived: the rest is reserved at once, so the body is not copied again.
    expect(buffer.bytes().buffer.byteLength).toBe(declared);
    buffer.append(new Uint8Array(100_000));
    expect(buffer.bytes().byteLength).toBe(declared);
    expect(buffer.bytes().buffer.byteLength).toBe(declared);
  });

  it("takes strings as UTF-8", () => {
    const buffer = new BodyBuffer(10);
    buffer.append("é");
    buffer.append("€");
    expect(buffer.length).toBe(5);
    expect(text(buffer.bytes())).toBe("é€");
  });
});

type Outcome = { error?: WebhookVerificationError | undefined; body?: Uint8Array | undefined };

function read(stream: Readable, limit: number, contentLength?: string, readTimeoutMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) =>
    readNodeBody(stream, { limit, readTimeoutMs, contentLength }, (error, body) => resolve({ error, body })),
  );
}

function oneByteChunks(body: string): Readable {
  return Readable.from(
    (function* () {
      for (const char of body) yield Buffer.from(char);
    })(),
    { objectMode: false },
  );
}

describe("readNodeBody", () => {
  it("reads a body of one-byte chunks exactly at the limit", async () => {
    const body = "z".repeat(1000);
    const { error, body: read_ } = await read(oneByteChunks(body), 1000);
    expect(error).toBeUndefined();
    expect(text(read_)).toBe(body);
  });

  it("answers 413 one byte past the limit, and stops reading", async () => {
    const stream = oneByteChunks("z".repeat(1001));
    const { error } = await read(stream, 1000);
    expect(error?.code).toBe("payload_too_large");
    expect(stream.isPaused()).toBe(true);
  });

  it("answers 413 from a Content-Length over the limit before reading anything", async () => {
    const stream = new PassThrough();
    const { error } = await read(stream, 10, "11");
    expect(error?.code).toBe("payload_too_large");
    expect(stream.readableFlowing).toBeNull();
  });

  it("enforces the limit on what arrives when Content-Length understates it", async () => {
    const { error } = await read(oneByteChunks("z".repeat(20)), 10, "5");
    expect(error?.code).toBe("payload_too_large");
  });

  it("reads what arrives when Content-Length overstates it", async () => {
    const { error, body } = await read(oneByteChunks("abc"), 10, "9");
    expect(error).toBeUndefined();
    expect(text(body)).toBe("abc");
  });

  it("reads a zero-length body", async () => {
    const stream = new PassThrough();
    stream.end();
    const { error, body } = await read(stream, 10, "0");
    expect(error).toBeUndefined();
    expect(body?.byteLength).toBe(0);
  });

  it("answers 408 past the read timeout and pauses the stream", async () => {
    const stream = new PassThrough();
    stream.write("partial");
    const { error } = await read(stream, 100, "50", 30);
    expect(error?.code).toBe("request_timeout");
    expect(stream.isPaused()).toBe(true);
    // A late error (the socket closing after the answer) is not an uncaught one.
    stream.destroy(new Error("late"));
  });

  it("answers 400 when the client goes away mid-upload", async () => {
    const stream = new PassThrough();
    stream.write("half");
    const outcome = read(stream, 100, "50");
    stream.destroy();
    const { error } = await outcome;
    expect(error?.code).toBe("invalid_payload");
    expect(error?.status).toBe(400);
  });

  it("answers 400 when the stream errors with a reset", async () => {
    const stream = new PassThrough();
    const outcome = read(stream, 100);
    stream.destroy(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    expect((await outcome).error?.code).toBe("invalid_payload");
  });

  it("reads a body exactly at the limit whose Content-Length says so", async () => {
    const { error, body } = await read(oneByteChunks("abcde"), 5, "5");
    expect(error).toBeUndefined();
    expect(text(body)).toBe("abcde");
  });

  it("says the client aborted when the stream closes before its end", async () => {
    const stream = new PassThrough();
    stream.write("half");
    const outcome = read(stream, 100, "50");
    stream.destroy();
    expect((await outcome).error?.message).toContain("The client aborted the request");
  });

  it("answers 400 with the stream's own failure as the cause when a transform fails (a corrupt gzip body)", async () => {
    const gunzip = createGunzip();
    const outcome = read(gunzip, 100);
    gunzip.end(Buffer.from("not gzip at all"));
    const { error } = await outcome;
    expect(error?.code).toBe("invalid_payload");
    expect(error?.message).toContain("could not be read completely");
    expect((error?.cause as { code?: string } | undefined)?.code).toBe("Z_DATA_ERROR");
  });

  it("answers 413 once the bytes on the wire pass the limit, whatever the decoded size (Fastify's receivedEncodedLength)", async () => {
    const over = Object.assign(new PassThrough(), { receivedEncodedLength: 11 });
    const outcome = read(over, 10);
    over.end("abc");
    expect((await outcome).error?.code).toBe("payload_too_large");
    const atLimit = Object.assign(new PassThrough(), { receivedEncodedLength: 10 });
    const read_ = read(atLimit, 10);
    atLimit.end("abc");
    expect(text((await read_).body)).toBe("abc");
  });

  it("calls back once after a 413, though the stream is then resumed to its end (a server draining it)", async () => {
    const stream = new PassThrough();
    const calls: Array<string | undefined> = [];
    readNodeBody(stream, { limit: 10, readTimeoutMs: 10_000 }, (error) => calls.push(error?.code));
    stream.write("x".repeat(11));
    expect(calls).toEqual(["payload_too_large"]);
    stream.resume();
    stream.end("y".repeat(11));
    await once(stream, "end");
    expect(calls).toEqual(["payload_too_large"]);
  });

  it("calls back once after a 408, though the stream then fails and closes", async () => {
    const stream = new PassThrough();
    stream.write("partial");
    const calls: Array<string | undefined> = [];
    const first = new Promise<void>((resolve) =>
      readNodeBody(stream, { limit: 100, readTimeoutMs: 30 }, (error) => {
        calls.push(error?.code);
        resolve();
      }),
    );
    await first;
    // events.once would reject on the "error": wait for the close itself.
    const closed = new Promise((resolve) => stream.on("close", resolve));
    stream.destroy(new Error("late"));
    await closed;
    expect(calls).toEqual(["request_timeout"]);
  });
});

function request(chunks: string[], headers: Record<string, string> = {}): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes(chunk));
      controller.close();
    },
  });
  return new Request("https://example.test/hook", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readFetchBody", () => {
  it("reads one-byte chunks exactly at the limit and refuses one more", async () => {
    const body = [..."q".repeat(500)];
    expect(text(await readFetchBody(request(body), 500))).toBe(body.join(""));
    await expect(readFetchBody(request([...body, "q"]), 500)).rejects.toMatchObject({ code: "payload_too_large" });
  });

  it("refuses a Content-Length over the limit, and takes what arrives under a lying one", async () => {
    await expect(readFetchBody(request(["a"], { "content-length": "11" }), 10)).rejects.toMatchObject({
      code: "payload_too_large",
    });
    await expect(readFetchBody(request([..."abcdefghijkl"], { "content-length": "3" }), 10)).rejects.toMatchObject({
      code: "payload_too_large",
    });
  });

  it("reads a request without a body as zero bytes", async () => {
    const empty = new Request("https://example.test/hook", { method: "POST" });
    expect((await readFetchBody(empty, 10)).byteLength).toBe(0);
  });

  it("answers 408 when the body stalls past the read timeout", async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("x"));
      },
    });
    const req = new Request("https://example.test/hook", {
      method: "POST",
      body: stalled,
      duplex: "half",
    } as RequestInit);
    await expect(readFetchBody(req, 100, 30)).rejects.toMatchObject({ code: "request_timeout" });
  });

  it("answers 400 when the body errors mid-upload (the client went away)", async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("x"));
        controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      },
    });
    const req = new Request("https://example.test/hook", {
      method: "POST",
      body: failing,
      duplex: "half",
    } as RequestInit);
    await expect(readFetchBody(req, 100)).rejects.toMatchObject({ code: "invalid_payload" });
  });

  it("answers 400 invalid_payload for a body another reader holds", async () => {
    const held = request(["x"]);
    held.body?.getReader();
    await expect(readFetchBody(held, 100)).rejects.toMatchObject({ code: "invalid_payload" });
  });

  it("reads a body whose honest Content-Length is exactly the limit", async () => {
    expect(text(await readFetchBody(request(["ab", "c"], { "content-length": "3" }), 3))).toBe("abc");
  });

  it("answers 500 body_already_parsed for a Request whose body was already read, naming the fix", async () => {
    const used = new Request("https://example.test/hook", { method: "POST", body: "{}" });
    await used.text();
    await expect(readFetchBody(used, 100)).rejects.toMatchObject({
      code: "body_already_parsed",
      message: expect.stringContaining("pass the untouched Request"),
    });
  });
});
