import { WebhookVerificationError } from "../shared/errors.js";

// More digits than this is centuries away: decided without building a huge number.
const MAX_DIGITS = 15;

/**
 * Parses a strict integer-seconds timestamp (digits only, no leading zero). Runs before any
 * HMAC so malformed requests cost nothing. The value is summed in the same pass that checks
 * the digits (exact: at most 15 digits stay below 2^53), so the string is read once, and
 * never through Number(), whose string-to-number path hashes the string first.
 */
export function parseTimestamp(raw: string): number {
  const length = raw.length;
  let valid = length > 0 && (length === 1 || raw.charCodeAt(0) !== 48); /* no leading zero */
  let seconds = 0;
  for (let i = 0; valid && i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) valid = false;
    seconds = seconds * 10 + (c - 48);
  }
  if (!valid) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      "The webhook timestamp header is not an integer number of seconds.",
    );
  }
  return length > MAX_DIGITS ? Number.POSITIVE_INFINITY : seconds;
}

/** Receiver clock minus the signed time, in whole seconds: positive when signed in the past. */
export function skewOf(seconds: number, nowMs: number): number {
  return Math.floor(nowMs / 1000) - seconds;
}

// "a very long time" rather than a 16-digit number nobody reads.
const amount = (seconds: number): string => (Number.isFinite(seconds) ? `${seconds} s` : "centuries");

/**
 * Checks a skew (from {@link skewOf}) against the tolerance window. The message carries the
 * measurement, so a drifting clock can be told from a replay at a glance.
 */
export function checkWindow(skew: number, toleranceSeconds: number): void {
  const fix = "If genuine deliveries fail with this, sync the server clock (NTP).";
  if (skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      "timestamp_too_old",
      `The webhook was signed ${amount(skew)} ago; tolerance ${toleranceSeconds} s: a replayed or long-delayed delivery. ${fix}`,
    );
  }
  if (-skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      "timestamp_too_new",
      `The webhook was signed ${amount(-skew)} in the future; tolerance ${toleranceSeconds} s. ${fix}`,
    );
  }
}
