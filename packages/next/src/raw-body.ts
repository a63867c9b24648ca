import type { IncomingMessage } from "node:http";
import { WebhookVerificationError } from "@colivara/webhooks";
import { bodyReadError, payloadTooLarge, withReadTimeout } from "@colivara/webhooks/adapter";
import getRawBody from "raw-body";

const PARSED_FIRST =
  "Next.js's API body parser read this request before withColivaraWebhookPages() could see its raw bytes. " +
  "Add `export const config = { api: { bodyParser: false } };` to this pages/api route file.";

/**
 * The exact bytes of a Pages Router request. With `bodyParser: false` they come from the
 * stream, the limit enforced while reading. A Buffer in `req.rawBody` or `req.body` (a
 * custom wrapper kept them) is used as is. Anything else in `req.body` was made by Next's
 * body parser (a parsed object, or text decoded with the declared charset: not the signed
 * bytes), so it is `body_already_parsed`, naming the fix.
 */
export async function readRawBody(
  req: IncomingMessage,
  limit: number,
  readTimeoutMs: number,
): Promise<Uint8Array | string> {
  const { rawBody, body } = req as { rawBody?: unknown; body?: unknown };
  const kept =
    typeof rawBody === "string" || rawBody instanceof Uint8Array
      ? rawBody
      : body instanceof Uint8Array
        ? body
        : undefined;
  if (kept !== undefined) {
    const size = typeof kept === "string" ? Buffer.byteLength(kept) : kept.byteLength;
    if (size > limit) throw payloadTooLarge(limit);
    return kept;
  }
  if (body !== undefined || req.readableEnded) {
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
