// An independent Standard Webhooks signer built on node:crypto alone, so tests never
// trust our own signWebhook to prove our own verifier right.
import { createHmac, randomBytes } from "node:crypto";

export interface IndependentDelivery {
  body: string | Buffer;
  headers: Record<string, string>;
}

export function newSecret(bytes = 24): string {
  return `whsec_${randomBytes(bytes).toString("base64")}`;
}

/** The key bytes of a `whsec_…` secret (tests only pass well-formed secrets here). */
export function keyOf(secret: string): Buffer {
  return Buffer.from(secret.trim().replace(/^whsec_/, ""), "base64");
}

/** The raw 32-byte HMAC-SHA256 over `${id}.${timestamp}.` + body. */
export function macBytesOf(secret: string, id: string, timestamp: string | number, body: string | Uint8Array): Buffer {
  return createHmac("sha256", keyOf(secret))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), typeof body === "string" ? Buffer.from(body) : body]))
    .digest();
}

export function macOf(secret: string, id: string, timestamp: string | number, body: string | Buffer): string {
  return macBytesOf(secret, id, timestamp, body).toString("base64");
}

/** A complete `v1,<base64>` signature entry. */
export function signatureOf(secret: string, id: string, timestamp: string | number, body: string | Uint8Array): string {
  return `v1,${macBytesOf(secret, id, timestamp, body).toString("base64")}`;
}

export function signIndependently(
  secret: string,
  body: string | Buffer,
  options: { id?: string; timestamp?: number | string; prefix?: "svix" | "webhook" } = {},
): IndependentDelivery {
  const id = options.id ?? `msg_${randomBytes(12).toString("hex")}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const prefix = options.prefix ?? "svix";
  return {
    body,
    headers: {
      "content-type": "application/json",
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(timestamp),
      [`${prefix}-signature`]: `v1,${macOf(secret, id, timestamp, body)}`,
    },
  };
}

/** A POST of `body` to a Fetch handler (`createWebhookHandler`), signed independently over `id`. */
export function signedFetchRequest(secret: string, body: string, id: string): Request {
  const { headers } = signIndependently(secret, body, { id });
  return new Request("http://127.0.0.1/webhooks/colivara", { method: "POST", body, headers });
}
