import { WebhookVerificationError } from "../shared/errors.js";

/**
 * Request headers in any shape the pack meets: a Fetch `Headers`, Node's
 * `IncomingHttpHeaders` (string or string[] values) or a plain record with any casing.
 *
 * @example
 * ```ts
 * const headers: HeaderInput = { "svix-id": "msg_1", "svix-timestamp": "1700000000", "svix-signature": "v1,..." };
 * ```
 */
export type HeaderInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined | null>>;

export interface WebhookHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

type Lookup = (name: string) => string | undefined;

function normalise(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  // Node gives arrays only for repeated headers: keep them all, as Node joins others.
  if (Array.isArray(value)) {
    const parts = value.filter((v): v is string => typeof v === "string");
    return parts.length === 0 ? undefined : parts.join(", ");
  }
  return undefined;
}

function lookupIn(headers: unknown): Lookup {
  if (headers !== null && typeof headers === "object") {
    const get = (headers as { get?: unknown }).get;
    if (typeof get === "function") {
      return (name) => normalise(get.call(headers, name));
    }
    const record = headers as Record<string, unknown>;
    return (name) => {
      // Node lower-cases names already, so the direct hit is the common case.
      if (Object.hasOwn(record, name)) return normalise(record[name]);
      for (const key of Object.keys(record)) {
        // Stryker disable next-line ConditionalExpression: the length test only skips lower-casing; no key of another length lower-cases to an ASCII name
        if (key.length === name.length && key.toLowerCase() === name) return normalise(record[key]);
      }
      return undefined;
    };
  }
  return () => undefined;
}

/** One header's value, from any {@link HeaderInput} shape. */
export function headerValue(headers: unknown, name: string): string | undefined {
  return lookupIn(headers)(name);
}

/**
 * Picks the id, timestamp and signature headers. The `svix-*` set wins over the
 * `webhook-*` set as a whole, so a request never mixes the two.
 */
export function readWebhookHeaders(headers: unknown): WebhookHeaders {
  const get = lookupIn(headers);
  let id = get("svix-id");
  let timestamp = get("svix-timestamp");
  let signature = get("svix-signature");
  if (id === undefined && timestamp === undefined && signature === undefined) {
    id = get("webhook-id");
    timestamp = get("webhook-timestamp");
    signature = get("webhook-signature");
  }
  if (!id || !timestamp || !signature) {
    const missing = [!id && "id", !timestamp && "timestamp", !signature && "signature"].filter(Boolean).join(", ");
    throw new WebhookVerificationError(
      "missing_headers",
      `Missing webhook header(s): ${missing}. Expected svix-id, svix-timestamp and svix-signature (or webhook-*); was the request sent by ColiVara, and does a proxy strip headers?`,
    );
  }
  return { id, timestamp, signature };
}
