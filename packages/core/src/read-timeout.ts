import { WebhookVerificationError } from "./errors.js";

/**
 * 10 s: a genuine delivery (under 1 MiB) arrives in milliseconds, and Svix gives up on an
 * answer after about 15 s; a client still trickling its body after this is not ColiVara.
 */
export const DEFAULT_READ_TIMEOUT_MS: number = 10_000;

/** Validates the `readTimeoutMs` option. */
export function parseReadTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_READ_TIMEOUT_MS;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new WebhookVerificationError(
      "invalid_config",
      `readTimeoutMs must be a positive number of milliseconds (default ${DEFAULT_READ_TIMEOUT_MS}), got ${String(value)}.`,
    );
  }
  return value;
}

/** The 408 every adapter answers when the body takes longer than `readTimeoutMs`. */
export function requestTimeout(readTimeoutMs: number): WebhookVerificationError {
  return new WebhookVerificationError(
    "request_timeout",
    `The request body did not arrive within ${readTimeoutMs} ms; the connection is closed. Raise readTimeoutMs only if genuine deliveries are that slow.`,
  );
}

/**
 * Settles like `read`, unless it takes longer than `ms`: then rejects with
 * `request_timeout` (408) and calls `onTimeout` so the reader can stop and free its buffers.
 * `readTimeoutMs` is the configured timeout the message names, when `ms` is only what is
 * left of it (a body read chunk by chunk against one deadline).
 */
export function withReadTimeout<T>(
  read: Promise<T>,
  ms: number,
  onTimeout?: () => void,
  readTimeoutMs: number = ms,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Reject before stopping the reader: stopping may settle `read` (a cancelled stream
      // reads as done), and the race must see the timeout first, never a truncated body.
      reject(requestTimeout(readTimeoutMs));
      onTimeout?.();
    }, ms);
  });
  // The loser of the race may still settle later; its outcome is deliberately ignored.
  read.catch(() => {});
  return Promise.race([read, deadline]).finally(() => clearTimeout(timer));
}
