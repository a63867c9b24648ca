import { WebhookVerificationError } from "../shared/errors.js";

/**
 * 10 s: a genuine delivery (under 1 MiB) arrives in milliseconds, and Svix gives up on an
 * answer after about 15 s; a client still trickling its body after this is not ColiVara.
 */
export const DEFAULT_READ_TIMEOUT_MS: number = 10_000;

/** The 408 every adapter answers when the body takes longer than `readTimeoutMs`. */
export function requestTimeout(readTimeoutMs: number): WebhookVerificationError {
  return new WebhookVerificationError(
    "request_timeout",
    `The request body did not arrive within ${readTimeoutMs} ms; the connection is closed. Raise readTimeoutMs only if genuine deliveries are that slow.`,
  );
}

interface Watch {
  readonly deadline: number;
  readonly onTimeout: () => void;
}

type TimerHandle = { unref?: () => unknown } | number | undefined;
const clock: () => number = globalThis.performance?.now.bind(globalThis.performance) ?? Date.now;
const watches = new Set<Watch>();
let sweeper: TimerHandle;
let sweepEvery = Number.POSITIVE_INFINITY;
let sharedTimers: boolean | undefined;

function sweep(): void {
  // Idle: stop, so a quiet process holds no interval.
  if (watches.size === 0) {
    stopSweeper();
    return;
  }
  const now = clock();
  for (const watch of watches) {
    if (watch.deadline > now) continue;
    watches.delete(watch);
    watch.onTimeout();
  }
}

function stopSweeper(): void {
  clearInterval(sweeper as number);
  sweeper = undefined;
  sweepEvery = Number.POSITIVE_INFINITY;
}

/**
 * Calls `onTimeout` once `ms` have passed, unless the returned function is called first. On
 * Node, Bun and Deno every read shares one unref'd interval that checks the deadlines, each
 * at most a tenth of its `ms` late (and at least 5 ms, the shortest sweep): a timer per request (created, then cleared a few
 * milliseconds later) costs more than hashing a small delivery. Where timer handles cannot
 * be unref'd (Workers, Edge), each watch is a plain timer, as a shared interval must not
 * outlive the request that started it there.
 *
 * @example
 * ```ts
 * const cancel = watchDeadline(receiver.readTimeoutMs, () => stream.pause());
 * stream.on("end", cancel);
 * ```
 */
export function watchDeadline(ms: number, onTimeout: () => void): () => void {
  if (sharedTimers === undefined) {
    const probe = setTimeout(() => {}, 0) as TimerHandle;
    clearTimeout(probe as number);
    sharedTimers = typeof probe === "object" && typeof probe.unref === "function";
  }
  if (!sharedTimers) {
    const timer = setTimeout(onTimeout, ms);
    return () => clearTimeout(timer);
  }
  const watch: Watch = { deadline: clock() + ms, onTimeout };
  watches.add(watch);
  const every = Math.min(1000, Math.max(5, ms / 10));
  if (every < sweepEvery) {
    // Equivalent mutant left standing (the directive would silence the killed `false`): the test
    // as true stops an interval that is not there, which clears nothing and resets what is reset.
    if (sweeper !== undefined) stopSweeper();
    sweepEvery = every;
    sweeper = setInterval(sweep, every) as TimerHandle;
    (sweeper as { unref: () => unknown }).unref();
  }
  return () => {
    watches.delete(watch);
  };
}
