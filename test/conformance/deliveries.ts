// Deliveries for the conformance suite, signed by the real `svix` package: an independent
// signer, so a bug shared by our signer and verifier cannot hide.
import { randomBytes } from "node:crypto";
import { Webhook } from "svix";

export interface Delivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

export function newId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

export function successPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "upsert.success",
    message: "Document upserted successfully",
    id: 1234,
    name: "report.pdf",
    metadata: { team: "research" },
    url: "https://example.com/report.pdf",
    num_pages: 12,
    collection_name: "default_collection",
    ...overrides,
  };
}

export function failPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "upsert.fail",
    message: "Document upsert failed",
    name: "broken.pdf",
    metadata: {},
    collection_name: "default_collection",
    error: "Could not convert the document",
    ...overrides,
  };
}

export function sign(
  secret: string,
  payload: Record<string, unknown> | string,
  options: { id?: string; timestamp?: number; prefix?: "svix" | "webhook" } = {},
): Delivery {
  const id = options.id ?? newId();
  const seconds = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signature = new Webhook(secret).sign(id, new Date(seconds * 1000), body);
  const prefix = options.prefix ?? "svix";
  return {
    id,
    body,
    headers: {
      "content-type": "application/json",
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(seconds),
      [`${prefix}-signature`]: signature,
    },
  };
}

/** The delivery as the `Request` a Fetch endpoint receives: POST, its headers and bytes. */
export function requestOf(delivery: Delivery, url = "http://127.0.0.1/webhooks/colivara"): Request {
  return new Request(url, { method: "POST", headers: delivery.headers, body: delivery.body });
}
