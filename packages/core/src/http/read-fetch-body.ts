import { BodyBuffer } from "./body-buffer.js";
import { bodyAlreadyParsed } from "./captured-body.js";
import { bodyReadError, payloadTooLarge } from "./limit.js";
import { DEFAULT_READ_TIMEOUT_MS, requestTimeout, watchDeadline } from "./read-timeout.js";

/**
 * Reads a Fetch body once into a {@link BodyBuffer} (memory about the body's size however
 * it is chunked), refusing it as soon as it passes `limit` (by Content-Length first, then
 * while streaming, whatever Content-Length claimed) so an oversized upload is never buffered
 * or hashed. The whole body shares one `readTimeoutMs` deadline: past it the reader is
 * cancelled and the read fails with `request_timeout` (408).
 *
 * @example
 * ```ts
 * const body = await readFetchBody(request, receiver.limit, receiver.readTimeoutMs);
 * ```
 */
export async function readFetchBody(
  request: Request,
  limit: number,
  readTimeoutMs: number = DEFAULT_READ_TIMEOUT_MS,
): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  // Equivalent mutants left standing (a directive would silence the killed ones on these lines):
  // `declared === null` as false (Number(null) is 0: under any limit, and BodyBuffer sizes nothing
  // by it), and `declaredLength !== undefined` as true (undefined > limit is false).
  const declaredLength = declared === null ? undefined : Number(declared);
  if (declaredLength !== undefined && declaredLength > limit) throw payloadTooLarge(limit);
  if (request.bodyUsed) throw bodyAlreadyParsed("fetch");
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  // This runs on every delivery, so it is one function with one deadline for the whole body:
  // a timer and a race per read, or a second async layer, cost a measurable share of a
  // small delivery. On timeout the reader is cancelled, which frees what it buffered and
  // ends the pending read; the flag turns that end into a 408, never a truncated body.
  const reader = stream.getReader();
  let timedOut = false;
  const watch = watchDeadline(readTimeoutMs, () => {
    timedOut = true;
    reader.cancel().catch(() => {});
  });
  const buffer = new BodyBuffer(limit, declaredLength);
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // A client that disconnects mid-upload: a client error, not a server fault.
        throw timedOut ? requestTimeout(readTimeoutMs) : bodyReadError(error, limit);
      }
      if (timedOut) throw requestTimeout(readTimeoutMs);
      if (chunk.done) return buffer.bytes();
      if (!buffer.append(chunk.value)) {
        reader.cancel().catch(() => {});
        throw payloadTooLarge(limit);
      }
    }
  } finally {
    watch.cancel();
  }
}
