/** How {@link pacedLines} paces what it writes. */
export interface Pace {
  /** Writes one line. */
  write: (line: string) => void;
  /** Milliseconds clock. */
  now: () => number;
  /** Lines written per window before the rest are only counted. */
  perWindow: number;
  /** The window, in milliseconds. */
  windowMs: number;
  /** The line that sums up what a window did not show: how many, and by kind, most first (`"invalid_signature 38, timestamp_too_old 2"`). */
  summary: (total: number, counts: string) => string;
}

/**
 * Writes at most `perWindow` lines per window and counts the rest by kind; the count comes
 * out as one summary line when the next window opens, or when the window ends if traffic
 * stopped. `line` is called only for a line that is written. Only what anyone can send
 * belongs here: a line that must be seen (a warning, a verified delivery) is written
 * beside it, never through it, so a flood cannot hide it or fold it into the count.
 */
export function pacedLines(pace: Pace): (kind: string, line: () => string) => void {
  const { write, now, perWindow, windowMs } = pace;
  let windowStart = Number.NEGATIVE_INFINITY;
  let shown = 0;
  const hidden = new Map<string, number>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  function summarise(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (hidden.size === 0) return;
    let total = 0;
    for (const count of hidden.values()) total += count;
    const counts = [...hidden].sort(([, a], [, b]) => b - a).map(([kind, count]) => `${kind} ${count}`);
    hidden.clear();
    write(pace.summary(total, counts.join(", ")));
  }

  return (kind, line) => {
    const at = now();
    if (at - windowStart >= windowMs) {
      summarise();
      windowStart = at;
      shown = 0;
    }
    if (shown < perWindow) {
      shown++;
      write(line());
      return;
    }
    hidden.set(kind, (hidden.get(kind) ?? 0) + 1);
    // One timer per window with something hidden, so the summary comes even if traffic stops.
    if (flushTimer === undefined) {
      flushTimer = setTimeout(summarise, windowStart + windowMs - at);
      (flushTimer as { unref?: () => unknown }).unref?.();
    }
  };
}
