import { WebhookVerificationError } from "../shared/errors.js";
import type { MaybePromise } from "../shared/maybe-async.js";
import { nodeBuiltin } from "../shared/node-builtin.js";

/**
 * The longest id, in UTF-8 bytes, that is its own dedupe key. Svix ids are about 30
 * characters, so real ids stay readable in Redis; a longer one is replaced by its digest.
 */
export const DEDUPE_KEY_MAX_BYTES = 256;

/**
 * What every digest key starts with. No id starting with `~` is its own key (it is digested
 * too), so an id kept as it is can never equal another id's digest key.
 */
export const DIGEST_KEY_PREFIX = "~sha256-";

const TILDE = 0x7e;
// A UTF-16 unit is at most 3 UTF-8 bytes: ids this short fit whatever their characters.
const ALWAYS_FITS = Math.floor(DEDUPE_KEY_MAX_BYTES / 3);

// Only ids of 86 to 256 UTF-16 units are encoded to be measured: rare, and no real Svix id.
const encoder = new TextEncoder();

function isOwnKey(id: string): boolean {
  if (id.charCodeAt(0) === TILDE) return false;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a fast path; an id this short passes the byte count below as well
  if (id.length <= ALWAYS_FITS) return true;
  // Stryker disable next-line ConditionalExpression: spares encoding a huge id; more than 256 UTF-16 units are more than 256 UTF-8 bytes too
  return id.length <= DEDUPE_KEY_MAX_BYTES && encoder.encode(id).length <= DEDUPE_KEY_MAX_BYTES;
}

type NodeCrypto = typeof import("node:crypto");

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

// Web Crypto's digest is asynchronous; only an id too long to be its own key pays for it.
async function webDigestKey(id: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new WebhookVerificationError(
      "invalid_config",
      "Neither node:crypto nor Web Crypto (crypto.subtle) is available to digest a long delivery id. Run on a runtime that has one (Node 20+, Bun, Deno, Cloudflare Workers and Vercel Edge all do); crypto.subtle exists only in secure contexts (HTTPS or localhost) where a browser-like runtime enforces them.",
    );
  }
  const digest = await subtle.digest("SHA-256", encoder.encode(id));
  return DIGEST_KEY_PREFIX + hex(new Uint8Array(digest));
}

/**
 * The key a delivery id is remembered under, in every dedupe store and hand-off queue: the
 * id itself up to {@link DEDUPE_KEY_MAX_BYTES} UTF-8 bytes (and not starting with `~`),
 * otherwise `~sha256-` and the hex SHA-256 of its UTF-8 bytes (the bytes its signature
 * covers). One signed id of megabytes then costs a store 72 bytes, and two ids share a key
 * only if SHA-256 collides. Synchronous where node:crypto exists (Node, Bun, Deno); a
 * promise on Web Crypto runtimes, for long ids only.
 *
 * @example
 * ```ts
 * import { dedupeKey } from "@colivara/webhooks/adapter";
 *
 * const key = await dedupeKey(webhook.id); // "msg_2bVx…" as it is; a huge id → "~sha256-…"
 * await queue.add(webhook.event.type, data, { jobId: key });
 * ```
 */
export function dedupeKey(id: string): MaybePromise<string> {
  if (isOwnKey(id)) return id;
  // Looked up per long id only, as mac.ts chooses: node:crypto wherever it exists.
  const crypto = nodeBuiltin<NodeCrypto>("node:crypto");
  if (typeof crypto?.createHash !== "function") return webDigestKey(id);
  // Stryker disable next-line StringLiteral: Node's hash.update() reads an empty encoding as its default, utf8
  return DIGEST_KEY_PREFIX + crypto.createHash("sha256").update(id, "utf8").digest("hex");
}
