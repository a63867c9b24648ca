/**
 * Helpers for testing your own webhook handlers without ColiVara: sign a delivery exactly
 * as Svix does, and build realistic event payloads.
 *
 * @packageDocumentation
 */

import type { ColivaraEvent, UpsertFailEvent, UpsertSuccessEvent, VerifiedWebhook } from "./shared/events.js";
import { encodeBase64 } from "./verify/base64.js";
import { resolveKeys } from "./verify/secret.js";

/**
 * Input of {@link signWebhook}.
 *
 * @example
 * ```ts
 * const input: SignWebhookInput = { secret: "whsec_...", payload: upsertSuccessEvent() };
 * ```
 */
export interface SignWebhookInput {
  /** The `whsec_…` secret your verifier is configured with. */
  secret: string;
  /** An event object (serialised with JSON.stringify) or the exact body string. */
  payload: object | string;
  /** The message id. Default: a fresh `msg_…` id. */
  id?: string | undefined;
  /** A Date, or integer seconds since the epoch. Default: now. */
  timestamp?: Date | number | undefined;
}

/**
 * A signed delivery: send `body` with `headers` to your endpoint.
 *
 * @example
 * ```ts
 * const { body, headers }: SignedWebhook = signWebhook({ secret, payload: upsertFailEvent() });
 * ```
 */
export interface SignedWebhook {
  body: string;
  headers: {
    "svix-id": string;
    "svix-timestamp": string;
    "svix-signature": string;
    "content-type": "application/json";
  };
}

function hmacSha256(): typeof import("node:crypto").createHmac {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = proc?.getBuiltinModule?.("node:crypto") as typeof import("node:crypto") | undefined;
  if (!crypto) throw new Error("signWebhook needs node:crypto (Node.js >= 20.16, Bun or Deno).");
  return crypto.createHmac;
}

function randomId(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return `msg_${encodeBase64(bytes).replace(/[+/=]/g, "x")}`;
}

/**
 * Signs a payload the way ColiVara (through Svix) does, for your own tests.
 *
 * @example
 * ```ts
 * import { signWebhook, upsertSuccessEvent } from "@colivara/webhooks/testing";
 *
 * const { body, headers } = signWebhook({ secret: process.env.COLIVARA_WEBHOOK_SECRET!, payload: upsertSuccessEvent() });
 * const response = await fetch("http://127.0.0.1:3000/webhooks/colivara", { method: "POST", body, headers });
 * ```
 */
export function signWebhook(input: SignWebhookInput): SignedWebhook {
  const [key] = resolveKeys(input.secret);
  const body = typeof input.payload === "string" ? input.payload : JSON.stringify(input.payload);
  const id = input.id ?? randomId();
  const seconds =
    input.timestamp instanceof Date
      ? Math.floor(input.timestamp.getTime() / 1000)
      : (input.timestamp ?? Math.floor(Date.now() / 1000));
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new TypeError(
      `signWebhook: timestamp must be a valid Date or integer seconds, got ${String(input.timestamp)}.`,
    );
  }
  if (seconds > 1e11) {
    throw new TypeError(
      "signWebhook: timestamp looks like milliseconds; pass seconds (Math.floor(Date.now() / 1000)) or a Date.",
    );
  }
  const timestamp = String(seconds);
  const mac = hmacSha256()("sha256", key as Uint8Array)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  return {
    body,
    headers: {
      "svix-id": id,
      "svix-timestamp": timestamp,
      "svix-signature": `v1,${encodeBase64(mac)}`,
      "content-type": "application/json",
    },
  };
}

/**
 * A realistic `upsert.success` payload; override any field. `metadata` types the event:
 * `upsertSuccessEvent({ metadata: { tenant: "acme" } })` is an `UpsertSuccessEvent<{ tenant: string }>`,
 * and `upsertSuccessEvent<Meta>({ metadata })` checks it against your schema's type. Sign one
 * with metadata your schema refuses to test the 422 `invalid_metadata` answer.
 *
 * @example
 * ```ts
 * const event = upsertSuccessEvent({ name: "q3-report.pdf", num_pages: 12 });
 * const typed = upsertSuccessEvent({ metadata: { tenant: "acme" } });
 * ```
 */
export function upsertSuccessEvent<M = Record<string, unknown>>(
  overrides: Partial<UpsertSuccessEvent<M>> = {},
): UpsertSuccessEvent<M> {
  return {
    type: "upsert.success",
    message: "Document upserted successfully",
    id: 4242,
    name: "annual-report-2025.pdf",
    metadata: { department: "finance", year: 2025 } as M,
    url: "https://example.com/files/annual-report-2025.pdf",
    num_pages: 48,
    collection_name: "default_collection",
    ...overrides,
  };
}

/**
 * A realistic `upsert.fail` payload; override any field. `metadata` types the event, as in
 * {@link upsertSuccessEvent}.
 *
 * @example
 * ```ts
 * const event = upsertFailEvent({ error: "The document could not be converted to images." });
 * ```
 */
export function upsertFailEvent<M = Record<string, unknown>>(
  overrides: Partial<UpsertFailEvent<M>> = {},
): UpsertFailEvent<M> {
  return {
    type: "upsert.fail",
    message: "Document upsert failed",
    name: "scanned-contract.pdf",
    metadata: { source: "email" } as M,
    collection_name: "default_collection",
    error: "The document could not be converted to images.",
    ...overrides,
  };
}

/**
 * A verified delivery around an event, as an adapter hands it to your code: for calling a
 * handler (or a handler map's function) directly in a unit test, typed metadata included.
 *
 * @example
 * ```ts
 * const event = upsertSuccessEvent({ metadata: { tenant: "acme" } });
 * await handlers["upsert.success"]?.(event, verifiedWebhook(event));
 * ```
 */
export function verifiedWebhook<E extends ColivaraEvent<unknown>>(
  event: E,
  options: { id?: string | undefined; timestamp?: Date | undefined } = {},
): VerifiedWebhook<E> {
  return { id: options.id ?? randomId(), timestamp: options.timestamp ?? new Date(), event };
}
