import { WebhookVerificationError } from "../shared/errors.js";

/** 1 MiB: ColiVara events are a few hundred bytes; anything near this is not one. */
export const DEFAULT_LIMIT_BYTES: number = 1024 * 1024;

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A byte count, or a string such as `"512kb"` or `"1mb"` (as Express users write it). */
export function parseLimit(limit: number | string | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT_BYTES;
  // Equivalent mutant left standing (a directive would silence the killed ones on this line): the
  // typeof test as true, since Number.isSafeInteger is false for anything but a number.
  if (typeof limit === "number" && Number.isSafeInteger(limit) && limit > 0) return limit;
  if (typeof limit === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
    if (match) {
      const bytes = Math.floor(Number(match[1]) * (UNITS[(match[2] ?? "b").toLowerCase()] as number));
      if (bytes > 0) return bytes;
    }
  }
  throw new WebhookVerificationError(
    "invalid_config",
    `limit must be a positive number of bytes or a string like "1mb" or "512kb", got ${JSON.stringify(limit)}.`,
  );
}

/** The 413 every adapter answers when the body is over the limit. */
export function payloadTooLarge(limit: number): WebhookVerificationError {
  return new WebhookVerificationError(
    "payload_too_large",
    `The request body is larger than the ${limit}-byte limit. ColiVara events are small; raise the limit option only if you expect bigger ones.`,
  );
}

/**
 * Maps a body reader's failure (raw-body, Fastify, Fetch) to the failure table by its
 * conventional `type`/`statusCode`, so every adapter answers the same way.
 */
export function bodyReadError(error: unknown, limit: number): WebhookVerificationError {
  if (error instanceof WebhookVerificationError) return error;
  const info = (error ?? {}) as { type?: unknown; statusCode?: unknown; status?: unknown; code?: unknown };
  const status = info.statusCode ?? info.status;
  if (info.type === "entity.too.large" || status === 413) return payloadTooLarge(limit);
  if (info.type === "stream.not.readable") {
    return new WebhookVerificationError(
      "body_already_parsed",
      "The request body was already read by something mounted before the webhook verifier; mount the verifier first.",
    );
  }
  if (info.type === "request.aborted" || info.code === "ECONNRESET") {
    return new WebhookVerificationError(
      "invalid_payload",
      "The client aborted the request before its body was complete.",
    );
  }
  return new WebhookVerificationError("invalid_payload", "The request body could not be read completely.", {
    cause: error,
  });
}
