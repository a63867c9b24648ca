import { WebhookVerificationError } from "./errors.js";

// More digits than this is centuries away: decided without building a huge number.
const MAX_DIGITS = 15;

/**
 * Parses a strict integer-seconds timestamp and checks it against the tolerance window.
 * Runs before any HMAC so malformed or stale requests cost nothing.
 */
export function checkTimestamp(raw: string, nowMs: number, toleranceSeconds: number): number {
  const length = raw.length;
  let valid = length > 0 && (length === 1 || raw.charCodeAt(0) !== 48); /* no leading zero */
  for (let i = 0; valid && i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) valid = false;
  }
  if (!valid) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      "The webhook timestamp header is not an integer number of seconds.",
    );
  }
  const now = Math.floor(nowMs / 1000);
  const seconds = length > MAX_DIGITS ? Number.POSITIVE_INFINITY : Number(raw);
  if (now - seconds > toleranceSeconds) {
    throw new WebhookVerificationError(
      "timestamp_too_old",
      `The webhook timestamp is more than ${toleranceSeconds}s in the past: a replayed or long-delayed delivery. If genuine deliveries fail with this, sync the server clock (NTP).`,
    );
  }
  if (seconds - now > toleranceSeconds) {
    throw new WebhookVerificationError(
      "timestamp_too_new",
      `The webhook timestamp is more than ${toleranceSeconds}s in the future. If genuine deliveries fail with this, sync the server clock (NTP).`,
    );
  }
  return seconds;
}
