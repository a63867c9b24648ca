import { createReadStream } from "node:fs";
import { BodyBuffer } from "@colivara/webhooks/adapter";

/**
 * Reads a stream into one growing buffer (not a Buffer per chunk), and stops at `limit`
 * bytes: resolves to undefined when there is more, so no input costs more than its cap.
 *
 * @example
 * ```ts
 * const bytes = await readCapped(process.stdin, 16 * 1024 * 1024);
 * ```
 */
export async function readCapped(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer | undefined> {
  const input = new BodyBuffer(limit);
  for await (const chunk of stream) {
    if (!input.append(chunk)) return undefined;
  }
  const bytes = input.bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A file's bytes, up to `limit` (undefined when larger). Read as a stream, so a device or a
 * pipe given as the file is capped too. Rejects with the file system's error (ENOENT…).
 *
 * @example
 * ```ts
 * const bytes = await readFileCapped("delivery.json", 16 * 1024 * 1024);
 * ```
 */
export async function readFileCapped(path: string, limit: number): Promise<Buffer | undefined> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    return await readCapped(stream, limit);
  } finally {
    stream.destroy();
  }
}

/**
 * The first `limit` bytes of a fetch response's body; the rest is never read.
 *
 * @example
 * ```ts
 * const { bytes, cut } = await responseStart(await fetch(url), 64 * 1024);
 * ```
 */
export async function responseStart(response: Response, limit: number): Promise<{ bytes: Buffer; cut: boolean }> {
  // One growing buffer, as readCapped: a server answering a byte per chunk costs no object per byte.
  const start = new BodyBuffer(limit);
  let cut = false;
  const reader = response.body?.getReader();
  while (reader !== undefined && !cut) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!start.append(value)) {
      start.append(value.subarray(0, limit - start.length));
      cut = true;
    }
  }
  await reader?.cancel().catch(() => {});
  const bytes = start.bytes();
  return { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), cut };
}
