import { WebhookVerificationError } from "@colivara/webhooks";
import { bodyReadError, payloadTooLarge, withReadTimeout } from "@colivara/webhooks/adapter";
import type { Request } from "express";
import getRawBody from "raw-body";

const PARSED_FIRST =
  "A body parser (express.json() or similar) read this request before verifyColivara() could see its raw bytes. " +
  "Register the webhook route before app.use(express.json()), e.g. app.post(path, verifyColivara(), handler), " +
  'or use express.raw({ type: "application/json" }) on that route.';

function byteLength(body: Buffer | string): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.length;
}

/**
 * The exact bytes of the request: from a raw parser that ran first (`req.rawBody`, a
 * Buffer/string `req.body`), else from the stream, with the limit enforced while reading.
 */
export async function readRawBody(req: Request, limit: number, readTimeoutMs: number): Promise<Buffer | string> {
  const captured = (req as { rawBody?: unknown }).rawBody ?? req.body;
  if (Buffer.isBuffer(captured) || typeof captured === "string") {
    if (byteLength(captured) > limit) throw payloadTooLarge(limit);
    return captured;
  }
  // body-parser marks a request it consumed with `_body`; an ended stream has nothing left.
  if ((req as { _body?: unknown })._body === true || req.readableEnded) {
    throw new WebhookVerificationError("body_already_parsed", PARSED_FIRST);
  }
  try {
    // On timeout the reader stops: the trickle is no longer buffered, and the 408 closes the socket.
    return await withReadTimeout(
      getRawBody(req, { length: req.headers["content-length"] ?? null, limit }),
      readTimeoutMs,
      () => req.pause(),
    );
  } catch (error) {
    throw bodyReadError(error, limit);
  }
}
