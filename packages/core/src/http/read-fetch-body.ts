import { BodyBuffer } from "./body-buffer.js";
import { bodyAlreadyParsed } from "./captured-body.js";
import { bodyReadError, payloadTooLarge } from "./limit.js";
import { DEFAULT_READ_TIMEOUT_MS, type DeadlineWatch, requestTimeout, watchDeadline } from "./read-timeout.js";

/** Receives the body, or why it could not be read: a WebhookVerificationError (413, 408, 400). */
export type FetchBodyCallback = (error: unknown, body?: Uint8Array) => void;

/** A read in progress, as its deadline sees it (passed as the watch's subject: no closure). */
class PendingRead {
  timedOut = false;
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}
}

function ignore(): void {}

/** Past the deadline the reader is cancelled, which frees what it buffered and ends the pending read. */
function timeOut(read: PendingRead): void {
  read.timedOut = true;
  read.reader.cancel().catch(ignore);
}

/** The stream's reader; a stream another reader holds is a body that cannot be read (400). */
function readerOf(stream: ReadableStream<Uint8Array>, limit: number): ReadableStreamDefaultReader<Uint8Array> {
  try {
    return stream.getReader();
  } catch (error) {
    throw bodyReadError(error, limit);
  }
}

/** The declared Content-Length, refused when over `limit`; a body already read is refused too. */
function declaredLength(request: Request, limit: number): number | undefined {
  const declared = request.headers.get("content-length");
  // Equivalent mutants left standing (a directive would silence the killed ones on these lines):
  // `declared === null` as false (Number(null) is 0: under any limit, and BodyBuffer sizes nothing
  // by it), and `length !== undefined` as true (undefined > limit is false).
  const length = declared === null ? undefined : Number(declared);
  if (length !== undefined && length > limit) throw payloadTooLarge(limit);
  if (request.bodyUsed) throw bodyAlreadyParsed("fetch");
  return length;
}

/**
 * {@link readFetchBody} for a caller that continues with a callback (the Fetch handler's
 * delivery port): `done` is called once, from the read itself, so the step after the body
 * runs without the promise hop of awaiting the read's result. A 413 by Content-Length, or a
 * body already read, calls back before this returns.
 *
 * @example
 * ```ts
 * readFetchBodyInto(request, receiver.limit, receiver.readTimeoutMs, (error, body) => {
 *   // error: a WebhookVerificationError (413, 408, 400); else body holds the bytes
 * });
 * ```
 */
export async function readFetchBodyInto(
  request: Request,
  limit: number,
  readTimeoutMs: number,
  done: FetchBodyCallback,
): Promise<void> {
  let body: Uint8Array;
  let watch: DeadlineWatch | undefined;
  try {
    const declared = declaredLength(request, limit);
    const stream = request.body;
    if (stream === null) body = new Uint8Array(0);
    else {
      // This runs on every delivery, so it is one function with one deadline for the whole
      // body: a timer and a race per read, or a second async layer, cost a measurable share
      // of a small delivery. The flag turns the cancelled read's end into a 408, never a
      // truncated body.
      const read = new PendingRead(readerOf(stream, limit));
      watch = watchDeadline(readTimeoutMs, timeOut, read);
      const buffer = new BodyBuffer(limit, declared);
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await read.reader.read();
        } catch (error) {
          // A client that disconnects mid-upload: a client error, not a server fault.
          throw read.timedOut ? requestTimeout(readTimeoutMs) : bodyReadError(error, limit);
        }
        if (read.timedOut) throw requestTimeout(readTimeoutMs);
        if (chunk.done) break;
        if (!buffer.append(chunk.value)) {
          read.reader.cancel().catch(ignore);
          throw payloadTooLarge(limit);
        }
      }
      body = buffer.bytes();
    }
  } catch (error) {
    watch?.cancel();
    done(error);
    return;
  }
  watch?.cancel();
  // Outside the try: a throw from `done` is the caller's, never a second call with it.
  done(undefined, body);
}

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
export function readFetchBody(
  request: Request,
  limit: number,
  readTimeoutMs: number = DEFAULT_READ_TIMEOUT_MS,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    void readFetchBodyInto(request, limit, readTimeoutMs, (error, body) => {
      if (error === undefined) resolve(body as Uint8Array);
      else reject(error);
    });
  });
}
