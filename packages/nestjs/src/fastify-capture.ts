import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import {
  BodyBuffer,
  capturedBody,
  type DeliveryPipeline,
  type ProxyTrust,
  readNodeBody,
  TRUST_NONE,
  type WebhookResponse,
  watchAnswer,
} from "@colivara/webhooks/adapter";
import { markVerified, verifiedOf } from "./verified-requests.js";

/** What the capture reads of a Fastify request and reply (no dependency on Fastify's types). */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingMessage["headers"];
  readonly ips?: readonly string[] | undefined;
}
export interface FastifyReplyLike {
  readonly raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(body?: unknown): unknown;
}
/** What the capture uses of Fastify's instance. */
export interface FastifyInstanceLike {
  addHook(name: "preParsing", hook: FastifyCaptureHook): unknown;
  hasContentTypeParser(type: string): boolean;
  addContentTypeParser(
    type: string,
    parser: (request: FastifyRequestLike, payload: Payload, done: (error: Error | null, body?: Buffer) => void) => void,
  ): unknown;
}
type Payload = NodeJS.ReadableStream & { readableEnded?: boolean; receivedEncodedLength?: number };
type Done = (error: Error | null, payload?: NodeJS.ReadableStream) => void;
/** The preParsing hook, in Fastify's callback form. */
export type FastifyCaptureHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
  payload: Payload,
  done: Done,
) => void;

export const FASTIFY_PROXY =
  'new FastifyAdapter({ trustProxy: "10.0.0.1" }) (the proxy\'s address or CIDR range); x-forwarded-proto and x-forwarded-for then count from the hops it trusts';

/** Writes an answer the core decided through Fastify's reply. */
export function sendFastify(reply: FastifyReplyLike, response: WebhookResponse): void {
  reply.code(response.status).headers(response.headers);
  reply.send(response.body === "" ? undefined : response.body);
}

/** Fastify's own `trustProxy` (it defines `request.ips` only when set): the hops it trusted. */
function trustOf(request: FastifyRequestLike): ProxyTrust {
  if (!("ips" in request)) return TRUST_NONE;
  return (_address, hop) => hop < Math.max(0, (request.ips?.length ?? 1) - 1);
}

/** The bytes as a Buffer (Fastify's parsers expect one), sharing their memory. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The verified bytes again, as the stream Fastify's content-type parser reads next. */
function replay(body: Buffer, original: Payload): Readable {
  const stream = new Readable({ read() {} }) as Readable & { receivedEncodedLength?: number };
  stream.push(body);
  stream.push(null);
  stream.receivedEncodedLength = original.receivedEncodedLength ?? body.length;
  return stream;
}

/**
 * A root `preParsing` hook of the Nest app's Fastify instance: requests to the module's `path`
 * go through the pipeline before any content-type parser; every other request passes on.
 */
export function fastifyCapture(pipeline: () => DeliveryPipeline | undefined): FastifyCaptureHook {
  return function colivaraCapture(request: FastifyRequestLike, reply: FastifyReplyLike, payload: Payload, done: Done) {
    const current = pipeline();
    if (current === undefined || !current.appliesTo(request.url.split("?", 1)[0] as string)) {
      return done(null, payload);
    }
    const { limit, readTimeoutMs } = current.options;
    let body: Buffer = Buffer.alloc(0);
    current.run({
      method: request.method,
      headers: request.headers,
      readBody(read) {
        const consumed = payload.readableEnded === true || (request.raw as { _body?: unknown })._body === true;
        const captured = capturedBody("nestjs", limit, [], consumed);
        if (captured !== undefined) return read(captured.error);
        const limits = { limit, readTimeoutMs, contentLength: request.headers["content-length"] };
        readNodeBody(payload, limits, (error, bytes) => {
          if (bytes !== undefined) body = asBuffer(bytes);
          read(error, bytes);
        });
      },
      send: (response) => sendFastify(reply, response),
      secure: () => (request.raw.socket as { encrypted?: boolean } | undefined)?.encrypted === true,
      remoteAddress: () => request.raw.socket?.remoteAddress,
      trust: trustOf(request),
      forward(webhook, answered) {
        markVerified(request, webhook, answered);
        watchAnswer(reply.raw, answered);
        done(null, replay(body, payload));
      },
    });
  };
}

/** Fastify's own answer to a type no parser takes (`FST_ERR_CTP_INVALID_MEDIA_TYPE`), for Nest's filter. */
function unsupportedMediaType(): Error {
  return Object.assign(new Error("Unsupported Media Type"), {
    code: "FST_ERR_CTP_INVALID_MEDIA_TYPE",
    statusCode: 415,
  });
}

/**
 * Svix signs bytes, not a media type: a genuine delivery sent as octet-stream, form-encoded or
 * with no type is verified like any other, and without a parser for it Fastify would answer
 * 415 after the claim (so Svix retries it to the end). The catch-all parser Fastify consults
 * only when no other matches hands a verified route the verified bytes as a Buffer, and gives
 * every other route the 415 Fastify gives. A catch-all the app added first keeps the job.
 */
export function acceptVerifiedBodies(instance: FastifyInstanceLike): void {
  if (instance.hasContentTypeParser("*")) return;
  instance.addContentTypeParser("*", (request, payload, done) => {
    if (verifiedOf(request) === undefined) return done(unsupportedMediaType());
    // The capture's replay of the verified bytes (within the limit), collected in one buffer:
    // a route hook that re-chunks the stream cannot make it an object per chunk.
    const body = new BodyBuffer(Number.MAX_SAFE_INTEGER);
    payload.on("data", (chunk: Buffer) => body.append(chunk));
    payload.on("error", (error: Error) => done(error));
    payload.on("end", () => done(null, asBuffer(body.bytes())));
  });
}
