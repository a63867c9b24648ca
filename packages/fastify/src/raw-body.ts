import { Readable } from "node:stream";
import { WebhookVerificationError } from "@colivara/webhooks";
import { bodyReadError, payloadTooLarge, requestTimeout, watchDeadline } from "@colivara/webhooks/adapter";
import type { FastifyRequest } from "fastify";

/** The payload a `preParsing` hook receives: the request, or a stream an earlier hook returned. */
export interface PayloadStream extends NodeJS.ReadableStream {
  readonly readableEnded?: boolean;
  /** Bytes read from the wire when an earlier hook transformed the stream (Fastify convention). */
  receivedEncodedLength?: number;
}

const CONSUMED_FIRST =
  "The request body was read before the colivara plugin could capture its raw bytes: an onRequest hook, " +
  "a preParsing hook or Connect middleware (e.g. express.json() through @fastify/middie or @fastify/express) " +
  "consumed it. Leave the body of webhook routes untouched before the plugin; Fastify's own content-type " +
  "parsers are fine, the plugin runs before them.";

function ignore(): void {}

/** Gets the body, or why it could not be read (a `WebhookVerificationError`). */
export type BodyCallback = (error: WebhookVerificationError | undefined, body?: Buffer) => void;

/**
 * Reads the exact bytes of the request body from the `preParsing` payload stream, refusing
 * it as soon as it is known to pass `limit`: first by the declared Content-Length (without
 * waiting for the upload), then while reading, so an oversized body is never buffered whole
 * or hashed. Callback-shaped, with a shared deadline rather than a timer: it runs on every
 * delivery.
 */
export function readRawBody(
  request: FastifyRequest,
  payload: PayloadStream,
  limit: number,
  readTimeoutMs: number,
  done: BodyCallback,
): void {
  const declared = Number(request.headers["content-length"]);
  if (declared > limit) {
    done(payloadTooLarge(limit));
    return;
  }
  // body-parser marks a request it consumed with `_body`; an ended stream has nothing left.
  if (payload.readableEnded === true || (request.raw as { _body?: unknown })._body === true) {
    done(new WebhookVerificationError("body_already_parsed", CONSUMED_FIRST));
    return;
  }
  const chunks: Buffer[] = [];
  let total = 0;

  function finish(error: WebhookVerificationError | undefined, body?: Buffer): void {
    cancel();
    payload.removeListener("data", onData);
    payload.removeListener("end", onEnd);
    payload.removeListener("error", onError);
    payload.removeListener("close", onClose);
    // A late error (the client going away after the answer) must not become an uncaught one.
    payload.on("error", ignore);
    done(error, body);
  }
  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > limit || (payload.receivedEncodedLength ?? 0) > limit) finish(payloadTooLarge(limit));
    else chunks.push(bytes);
  }
  function onEnd(): void {
    finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
  }
  function onError(error: unknown): void {
    finish(bodyReadError(error, limit));
  }
  function onClose(): void {
    // Closed before "end": the client went away mid-upload.
    finish(bodyReadError({ type: "request.aborted" }, limit));
  }
  // A trickling client is cut off: nothing more is buffered and the 408 closes the socket.
  const cancel = watchDeadline(readTimeoutMs, () => {
    payload.pause();
    finish(requestTimeout(readTimeoutMs));
  });
  payload.on("data", onData);
  payload.on("end", onEnd);
  payload.on("error", onError);
  payload.on("close", onClose);
  payload.resume();
}

/**
 * The bytes again, as the stream Fastify's content-type parser reads after the hook, so a
 * verified route parses its body exactly as any other route would.
 */
export function replayStream(body: Buffer, original: PayloadStream): Readable {
  const stream = new Readable({ read: ignore }) as Readable & { receivedEncodedLength?: number };
  stream.push(body);
  stream.push(null);
  // Fastify compares this with Content-Length; keep what an earlier transforming hook saw.
  stream.receivedEncodedLength = original.receivedEncodedLength ?? body.length;
  return stream;
}
