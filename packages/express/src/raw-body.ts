import type { WebhookVerificationError } from "@colivara/webhooks";
import { capturedBody, readNodeBody } from "@colivara/webhooks/adapter";
import type { Request } from "express";

/** Gets the body, or why it could not be read (a {@link WebhookVerificationError}). */
export type BodyCallback = (error: WebhookVerificationError | undefined, body?: Uint8Array | string) => void;

/**
 * The exact bytes of the request: what a raw parser kept (`req.rawBody`, a Buffer/string
 * `req.body`), else the stream, read by the core's Node reader (limit, timeout, bounded
 * memory). body-parser marks a request it consumed with `_body`.
 */
export function readRawBody(req: Request, limit: number, readTimeoutMs: number, done: BodyCallback): void {
  const { rawBody, body, _body } = req as { rawBody?: unknown; body?: unknown; _body?: unknown };
  const captured = capturedBody("express", limit, [rawBody, body], _body === true || req.readableEnded);
  if (captured !== undefined) done(captured.error, captured.body);
  else readNodeBody(req, { limit, readTimeoutMs, contentLength: req.headers["content-length"] }, done);
}
