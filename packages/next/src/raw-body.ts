import type { IncomingMessage } from "node:http";
import { capturedBody, readNodeBody } from "@colivara/webhooks/adapter";

/**
 * The exact bytes of a Pages Router request. With `bodyParser: false` they come from the
 * stream, read by the core's Node reader (limit, timeout, bounded memory). Bytes or text a
 * custom wrapper kept in `req.rawBody` or `req.body` are used as they are; a body Next's
 * parser consumed is `body_already_parsed`, naming the fix.
 */
export function readRawBody(req: IncomingMessage, limit: number, readTimeoutMs: number): Promise<Uint8Array | string> {
  const { rawBody, body } = req as { rawBody?: unknown; body?: unknown };
  const captured = capturedBody("next-pages", limit, [rawBody, body], req.readableEnded);
  if (captured?.error) return Promise.reject(captured.error);
  if (captured !== undefined) return Promise.resolve(captured.body);
  return new Promise((resolve, reject) =>
    readNodeBody(req, { limit, readTimeoutMs, contentLength: req.headers["content-length"] }, (error, bytes) =>
      error ? reject(error) : resolve(bytes as Uint8Array),
    ),
  );
}
