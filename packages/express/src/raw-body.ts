import { WebhookVerificationError } from "@colivara/webhooks";
import { bodyReadError, payloadTooLarge, requestTimeout, watchDeadline } from "@colivara/webhooks/adapter";
import type { Request } from "express";
import getRawBody from "raw-body";

const PARSED_FIRST =
  "A body parser (express.json() or similar) read this request before verifyColivara() could see its raw bytes. " +
  "Register the webhook route before app.use(express.json()), e.g. app.post(path, verifyColivara(), handler), " +
  'or use express.raw({ type: "application/json" }) on that route.';

function byteLength(body: Buffer | string): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.length;
}

/** Gets the body, or why it could not be read (a {@link WebhookVerificationError}). */
export type BodyCallback = (error: WebhookVerificationError | undefined, body?: Buffer | string) => void;

/**
 * The exact bytes of the request: from a raw parser that ran first (`req.rawBody`, a
 * Buffer/string `req.body`), else from the stream, with the limit enforced while reading.
 * Callback-shaped, with a shared deadline rather than a timer: it runs on every delivery,
 * and a promise chain or a timer here costs more than the HMAC of a typical event.
 */
export function readRawBody(req: Request, limit: number, readTimeoutMs: number, done: BodyCallback): void {
  const captured = (req as { rawBody?: unknown }).rawBody ?? req.body;
  if (Buffer.isBuffer(captured) || typeof captured === "string") {
    done(byteLength(captured) > limit ? payloadTooLarge(limit) : undefined, captured);
    return;
  }
  // body-parser marks a request it consumed with `_body`; an ended stream has nothing left.
  if ((req as { _body?: unknown })._body === true || req.readableEnded) {
    done(new WebhookVerificationError("body_already_parsed", PARSED_FIRST));
    return;
  }
  let settled = false;
  const cancel = watchDeadline(readTimeoutMs, () => {
    settled = true;
    // The trickle is no longer buffered, and the 408 closes the socket.
    req.pause();
    done(requestTimeout(readTimeoutMs));
  });
  getRawBody(req, { length: req.headers["content-length"] ?? null, limit }, (error, body) => {
    // After a timeout, the reader's late outcome (usually the closed socket) is ignored.
    if (settled) return;
    settled = true;
    cancel();
    done(error ? bodyReadError(error, limit) : undefined, body);
  });
}
