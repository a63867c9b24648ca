import { WebhookVerificationError } from "@colivara/webhooks";
import { DEDUPE_KEY_MAX_BYTES } from "@colivara/webhooks/adapter";

const encoder = new TextEncoder();
// A UTF-16 unit without its pair: UTF-8 cannot hold it, so two such keys could meet as U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses a key the table cannot hold as it is: over {@link DEDUPE_KEY_MAX_BYTES} UTF-8 bytes,
 * with a NUL (Postgres text has none), or with a lone surrogate (UTF-8 has none). The
 * adapters never pass one (they pass `dedupeKey(id)`); a direct caller learns what to do.
 * Thrown as `dedupe_unavailable`, so a delivery answers 503 rather than run unguarded.
 */
export function checkKey(key: unknown): string {
  if (typeof key !== "string") {
    throw new WebhookVerificationError("dedupe_unavailable", `A dedupe key must be a string, got ${typeof key}.`);
  }
  const fits = key.length <= DEDUPE_KEY_MAX_BYTES && encoder.encode(key).length <= DEDUPE_KEY_MAX_BYTES;
  if (!fits || key.includes("\u0000") || LONE_SURROGATE.test(key)) {
    throw new WebhookVerificationError(
      "dedupe_unavailable",
      `The PostgreSQL dedupe store takes keys of at most ${DEDUPE_KEY_MAX_BYTES} UTF-8 bytes of well-formed text without NUL; this one is not. Pass the delivery id through dedupeKey() from @colivara/webhooks/adapter, as the adapters do.`,
    );
  }
  return key;
}
