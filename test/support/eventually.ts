// One bound for every wait on another process, a socket or a timer: generous for a busy
// two-core machine (vi.waitFor's own default, 1 s, is not), never a statement about speed.
import { vi } from "vitest";

/** How long {@link eventually} keeps trying before the test fails. */
export const EVENTUALLY_MS = 20_000;

/**
 * Retries `check` (an assertion, or a function that throws until ready) every 20 ms until
 * it passes, for up to {@link EVENTUALLY_MS}; resolves with its result.
 */
export function eventually<T>(check: () => T | Promise<T>, timeout: number = EVENTUALLY_MS): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}
