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

export function macOf(secret: string, id: string, timestamp: string | number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.isBuffer(body) ? body : Buffer.from(body)]))
    .digest("base64");
}

export function signIndependently(
  secret: string,
  body: string | Buffer,
  options: { id?: string; timestamp?: number; prefix?: "svix" | "webhook" } = {},
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
