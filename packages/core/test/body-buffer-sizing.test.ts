// How BodyBuffer sizes its memory: a declared Content-Length it can trust is reserved once,
// one it cannot trust is ignored, and without one the buffer doubles (copies stay few).
import { describe, expect, it } from "vitest";
import { BodyBuffer } from "../src/http/body-buffer.js";

/** Appends `total` bytes in chunks of `chunk`, returning the ArrayBuffer held after each append. */
function held(buffer: BodyBuffer, total: number, chunk: number): ArrayBufferLike[] {
  const seen: ArrayBufferLike[] = [];
  for (let sent = 0; sent < total; sent += chunk) {
    expect(buffer.append(new Uint8Array(Math.min(chunk, total - sent)).fill(sent % 251))).toBe(true);
    seen.push(buffer.bytes().buffer);
  }
  return seen;
}

describe("BodyBuffer sizing", () => {
  it.each([
    ["declared exactly at the limit", 4096, 4096, 512],
    ["declared at 64 KiB, sent in 1 KiB chunks", 1 << 20, 64 * 1024, 1024],
    ["completed by its second chunk", 1 << 20, 6, 3],
  ])("collects a body %s into one allocation of exactly its size", (_label, limit, declared, chunk) => {
    const buffer = new BodyBuffer(limit, declared);
    const seen = held(buffer, declared, chunk);
    // The first chunk is kept as it came; from the second on, one buffer holds the body.
    const collected = seen.slice(1);
    expect(new Set(collected).size).toBe(1);
    expect(buffer.bytes().byteLength).toBe(declared);
    expect(buffer.bytes().buffer.byteLength).toBe(declared);
  });

  it.each([
    ["not a number", Number.NaN],
    ["not a whole number", 1000.5],
    ["negative", -5],
    ["over the limit", 20_000],
    ["infinite", Number.POSITIVE_INFINITY],
  ])("sizes the buffer as if nothing were declared when the declared length is %s", (_label, declared) => {
    const capacities = (buffer: BodyBuffer) => held(buffer, 6000, 100).map((memory) => memory.byteLength);
    expect(capacities(new BodyBuffer(10_000, declared)).slice(1)).toEqual(capacities(new BodyBuffer(10_000)).slice(1));
  });

  it("keeps a single chunk uncopied when an empty chunk follows it", () => {
    const chunk = new TextEncoder().encode("{}");
    const buffer = new BodyBuffer(10);
    buffer.append(chunk);
    expect(buffer.append(new Uint8Array(0))).toBe(true);
    expect(buffer.bytes()).toBe(chunk);
  });

  it("copies a body of one-byte chunks a few times, not once per byte, when no length is declared", () => {
    const seen = held(new BodyBuffer(1 << 20), 3000, 1).slice(1);
    // 1 KiB, then doubling: 2 KiB, 4 KiB.
    expect(new Set(seen).size).toBe(3);
  });
});
