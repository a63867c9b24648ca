import { Readable } from "node:stream";
import type { WebhookVerificationError } from "@colivara/webhooks";
import { capturedBody, readNodeBody } from "@colivara/webhooks/adapter";
import type { FastifyRequest } from "fastify";

/** The payload a `preParsing` hook receives: the request, or a stream an earlier hook returned. */
export interface PayloadStream extends NodeJS.ReadableStream {
  readonly readableEnded?: boolean;
  /** Bytes read from the wire when an earlier hook transformed the stream (Fastify convention). */
  receivedEncodedLength?: number;
}

function ignore(): void {}

/** Gets the body, or why it could not be read (a `WebhookVerificationError`). */
export type BodyCallback = (error: WebhookVerificationError | undefined, body?: Uint8Array) => void;

/** No body captured by another parser: a preParsing hook sees the stream before any. */
const NOTHING_CAPTURED: readonly unknown[] = [];

/**
 * Reads the exact bytes of the request body from the `preParsing` payload stream with the
 * core's Node reader (limit by Content-Length then while reading, timeout, bounded memory).
 * A payload something already consumed (body-parser marks the request with `_body`) is
 * `body_already_parsed`.
 */
export function readRawBody(
  request: FastifyRequest,
  payload: PayloadStream,
  limit: number,
  readTimeoutMs: number,
  done: BodyCallback,
): void {
  const consumed = payload.readableEnded === true || (request.raw as { _body?: unknown })._body === true;
  const captured = capturedBody("fastify", limit, NOTHING_CAPTURED, consumed);
  if (captured !== undefined) {
    done(captured.error);
    return;
  }
  const limits = { limit, readTimeoutMs, contentLength: request.headers["content-length"] };
  readNodeBody(payload, limits, done);
}

/** The bytes as a Buffer (Fastify's parsers expect one), sharing their memory. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The bytes again, as the stream Fastify's content-type parser reads after the hook, so a
 * verified route parses its body exactly as any other route would.
 */
export function replayStream(body: Uint8Array, original: PayloadStream): Readable {
  const stream = new Readable({ read: ignore }) as Readable & { receivedEncodedLength?: number };
  // Fastify's parsers expect Buffers.
  stream.push(asBuffer(body));
  stream.push(null);
  // Fastify compares this with Content-Length; keep what an earlier transforming hook saw.
  stream.receivedEncodedLength = original.receivedEncodedLength ?? body.length;
  return stream;
}
