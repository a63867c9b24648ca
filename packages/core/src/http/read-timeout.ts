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

/**
 * A pending deadline from {@link watchDeadline}: `cancel()` stops it (once it fired, or a
 * second time, it does nothing).
 */
export interface DeadlineWatch {
  cancel(): void;
}

type TimerHandle = { unref?: () => unknown } | number | undefined;
const clock: () => number = globalThis.performance?.now.bind(globalThis.performance) ?? Date.now;

/**
 * One deadline. On the shared sweep it sits in {@link pending} at `index` (-1 once removed),
 * so cancelling is a swap with the last entry, not a search; where timers cannot be unref'd
 * it holds its own timer.
 */
class Watch implements DeadlineWatch {
  index = -1;
  timer: TimerHandle = undefined;
  constructor(
    readonly deadline: number,
    readonly onTimeout: (subject: unknown) => void,
    readonly subject: unknown,
  ) {}

  cancel(): void {
    if (this.index >= 0) remove(this);
    else clearTimeout(this.timer as number);
  }

  fire(): void {
    this.onTimeout(this.subject);
  }
}

/**
 * The shared sweep's deadlines, in no order. An array with each watch's index rather than a
 * Set: two deadlines start and end on every delivery, and a Set's delete (its table shrinking
 * and growing again) cost a share of a small delivery's time and heap.
 */
const pending: Watch[] = [];
let sweeper: TimerHandle;
let sweepEvery = Number.POSITIVE_INFINITY;
let sharedTimers: boolean | undefined;

function remove(watch: Watch): void {
  const { index } = watch;
  if (index < 0) return;
  watch.index = -1;
  const last = pending.pop() as Watch;
  if (last === watch) return;
  pending[index] = last;
  last.index = index;
}

function sweep(): void {
  // Idle: stop, so a quiet process holds no interval.
  if (pending.length === 0) {
    stopSweeper();
    return;
  }
  const now = clock();
  // Collected first: a callback may cancel or add watches, which reorders the array.
  const due = pending.filter((watch) => watch.deadline <= now);
  for (const watch of due) {
    // Cancelled by an earlier callback of this sweep: it does not fire.
    if (watch.index < 0) continue;
    remove(watch);
    watch.fire();
  }
}

function stopSweeper(): void {
  clearInterval(sweeper as number);
  sweeper = undefined;
  sweepEvery = Number.POSITIVE_INFINITY;
}

/**
 * Calls `onTimeout(subject)` once `ms` have passed, unless the returned watch is cancelled
 * first (the subject lets a caller pass a module-level function, not a closure per request). On
 * Node, Bun and Deno every read shares one unref'd interval that checks the deadlines, each
 * at most a tenth of its `ms` late (and at least 5 ms, the shortest sweep): a timer per request (created, then cleared a few
 * milliseconds later) costs more than hashing a small delivery. Where timer handles cannot
 * be unref'd (Workers, Edge), each watch is a plain timer, as a shared interval must not
 * outlive the request that started it there.
 *
 * @example
 * ```ts
 * const watch = watchDeadline(receiver.readTimeoutMs, (paused) => paused.pause(), stream);
 * stream.on("end", () => watch.cancel());
 * ```
 */
export function watchDeadline(ms: number, onTimeout: () => void): DeadlineWatch;
export function watchDeadline<T>(ms: number, onTimeout: (subject: T) => void, subject: T): DeadlineWatch;
export function watchDeadline(ms: number, onTimeout: (subject: unknown) => void, subject?: unknown): DeadlineWatch {
  if (sharedTimers === undefined) {
    const probe = setTimeout(() => {}, 0) as TimerHandle;
    clearTimeout(probe as number);
    sharedTimers = typeof probe === "object" && typeof probe.unref === "function";
  }
  if (!sharedTimers) {
    const own = new Watch(0, onTimeout, subject);
    own.timer = setTimeout(() => onTimeout(subject), ms) as TimerHandle;
    return own;
  }
  const watch = new Watch(clock() + ms, onTimeout, subject);
  watch.index = pending.push(watch) - 1;
  const every = Math.min(1000, Math.max(5, ms / 10));
  if (every < sweepEvery) {
    // Equivalent mutant left standing (the directive would silence the killed `false`): the test
    // as true stops an interval that is not there, which clears nothing and resets what is reset.
    if (sweeper !== undefined) stopSweeper();
    sweepEvery = every;
    sweeper = setInterval(sweep, every) as TimerHandle;
    (sweeper as { unref: () => unknown }).unref();
  }
  return watch;
}
