import { performance } from "node:perf_hooks";
import type { AppAnswer } from "./delivery-report.js";
import { networkError } from "./errors.js";
import { responseStart } from "./read-capped.js";

/** Headers a proxy must not pass on (RFC 9110 §7.6.1), plus those fetch sets itself. */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "content-length",
]);

/**
 * A copy of the bytes as an `ArrayBuffer`, the body type every fetch typing accepts.
 *
 * @example
 * ```ts
 * await fetch(url, { method: "POST", body: bodyBytes(Buffer.from("{}")) });
 * ```
 */
export function bodyBytes(body: Uint8Array): ArrayBuffer {
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}

/**
 * The headers to pass on: all the sender sent, in order, except hop-by-hop ones.
 *
 * @example
 * ```ts
 * const headers = passOnHeaders([["svix-id", "msg_1"], ["host", "127.0.0.1:3000"]]); // [["svix-id", "msg_1"]]
 * ```
 */
export function passOnHeaders(headers: ReadonlyArray<readonly [string, string]>): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.append(name, value);
  }
  return out;
}

/** How much of the app's answer is kept (and passed back to the sender, who reads only the status). */
const APP_BODY_BYTES = 64 * 1024;

/**
 * Posts a delivery's exact bytes and headers to the app and records its answer.
 * Never throws: a failure is recorded in `error`.
 *
 * @example
 * ```ts
 * const answer = await forwardDelivery(new URL("http://127.0.0.1:4000/webhooks/colivara"), headers, body, 15);
 * ```
 */
export async function forwardDelivery(
  target: URL,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array,
  timeoutSeconds: number,
): Promise<AppAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: passOnHeaders(headers),
      body: bodyBytes(body),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    const { bytes, cut } = await responseStart(response, APP_BODY_BYTES);
    return {
      url: target.href,
      status: response.status,
      contentType: response.headers.get("content-type") ?? undefined,
      body: bytes.toString("utf8"),
      bodyCut: cut,
      durationMs: elapsed(),
    };
  } catch (error) {
    return { url: target.href, durationMs: elapsed(), error: networkError(error, target, timeoutSeconds).message };
  }
}
