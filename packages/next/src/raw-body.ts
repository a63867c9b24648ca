import type { IncomingMessage } from "node:http";
import { type BodyCallback, capturedBody, readNodeBody } from "@colivara/webhooks/adapter";

/**
 * The exact bytes of a Pages Router request. With `bodyParser: false` they come from the
 * stream, read by the core's Node reader (limit, timeout, bounded memory). Bytes or text a
 * custom wrapper kept in `req.rawBody` or `req.body` are used as they are; a body Next's
 * parser consumed is `body_already_parsed`, naming the fix.
 *
 * Callback-shaped, as the Express reader: it runs on every delivery, and a promise around
 * the reader costs a promise and a microtask per request for nothing.
 */
export function readRawBody(req: IncomingMessage, limit: number, readTimeoutMs: number, done: BodyCallback): void {
  const { rawBody, body } = req as { rawBody?: unknown; body?: unknown };
  const captured = capturedBody("next-pages", limit, [rawBody, body], req.readableEnded);
  if (captured !== undefined) done(captured.error, captured.body);
  else readNodeBody(req, { limit, readTimeoutMs, contentLength: req.headers["content-length"] }, done);
}
