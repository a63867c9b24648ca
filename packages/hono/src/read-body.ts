import { capturedBody, readFetchBody } from "@colivara/webhooks/adapter";
import type { HonoRequest } from "hono";

/**
 * The exact bytes of the request. Reuses what Hono already cached as bytes or text (both
 * exact), refuses a cache that only holds a parsed form, else streams with the core's Fetch
 * reader (limit, timeout, bounded memory). The bytes are cached back so `c.req.text()`
 * still works in the route.
 */
export async function readHonoBody(
  req: HonoRequest,
  limit: number,
  readTimeoutMs: number,
): Promise<Uint8Array | string> {
  const cache = req.bodyCache;
  const cached = [cache.arrayBuffer && new Uint8Array(await cache.arrayBuffer), cache.text && (await cache.text)];
  const captured = capturedBody("hono", limit, cached, Object.keys(cache).length > 0 || req.raw.bodyUsed);
  if (captured?.error) throw captured.error;
  if (captured !== undefined) return captured.body;
  const body = await readFetchBody(req.raw, limit, readTimeoutMs);
  const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
  const buffer = (whole ? body.buffer : body.slice().buffer) as ArrayBuffer;
  // Hono stores promises in bodyCache at run time, though its types say plain values.
  cache.arrayBuffer = Promise.resolve(buffer) as unknown as ArrayBuffer;
  return body;
}
