import { WebhookVerificationError } from "@colivara/webhooks";
import { payloadTooLarge, readFetchBody } from "@colivara/webhooks/adapter";
import type { HonoRequest } from "hono";

const PARSED_FIRST =
  "The request body was parsed (c.req.json(), c.req.parseBody() or a validator) before colivaraWebhook() could read its raw bytes. " +
  "Register colivaraWebhook() before any middleware or validator that reads the body on this route.";

function byteLength(body: Uint8Array | string): number {
  return typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
}

/**
 * The exact bytes of the request. Reuses what Hono already cached as bytes or text (both
 * exact), refuses a cache that only holds a parsed form, else streams with the limit.
 * The bytes are cached back so `c.req.text()` still works in the route.
 */
export async function readHonoBody(
  req: HonoRequest,
  limit: number,
  readTimeoutMs: number,
): Promise<Uint8Array | string> {
  const cache = req.bodyCache;
  let body: Uint8Array | string;
  if (cache.arrayBuffer) body = new Uint8Array(await cache.arrayBuffer);
  else if (cache.text) body = await cache.text;
  else if (Object.keys(cache).length > 0 || req.raw.bodyUsed) {
    throw new WebhookVerificationError("body_already_parsed", PARSED_FIRST);
  } else {
    body = await readFetchBody(req.raw, limit, readTimeoutMs);
    const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const buffer = (whole ? body.buffer : body.slice().buffer) as ArrayBuffer;
    // Hono stores promises in bodyCache at run time, though its types say plain values.
    cache.arrayBuffer = Promise.resolve(buffer) as unknown as ArrayBuffer;
    return body;
  }
  if (byteLength(body) > limit) throw payloadTooLarge(limit);
  return body;
}
