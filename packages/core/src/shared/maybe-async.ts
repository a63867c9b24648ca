/** A value now (node:crypto, no store), or later (Web Crypto, a store, an async handler). */
export type MaybePromise<T> = T | PromiseLike<T>;

/** True for a value still to come (a promise or any thenable). */
export function isThenable<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

/**
 * Runs `next` with the value, at once when it is already there: the pipeline's one way to
 * chain steps. On Node a typical delivery is verified synchronously, and a promise per
 * step is a measurable share of its cost (see the bench's instructions per request), so
 * nothing is deferred unless a step really is asynchronous. `fail` receives a rejection;
 * a synchronous value never throws into it.
 *
 * @example
 * ```ts
 * andThen(check(body, headers), (webhook) => admit(webhook), (error) => reject(error));
 * ```
 */
export function andThen<T>(value: MaybePromise<T>, next: (value: T) => void, fail: (error: unknown) => void): void {
  if (isThenable(value)) value.then(next, fail);
  else next(value);
}

/**
 * {@link andThen} for module-level steps: `next(value, subject)` or `fail(error, subject)`.
 * A value already there costs no closure; only a pending one wraps the steps to carry the
 * subject. The pipeline passes its per-request object as the subject, so a delivery that
 * is verified synchronously (Node, no store) makes no function per step.
 *
 * @example
 * ```ts
 * andThenWith(check(body, headers), admit, reject, arrival);
 * ```
 */
export function andThenWith<T, S>(
  value: MaybePromise<T>,
  next: (value: T, subject: S) => void,
  fail: (error: unknown, subject: S) => void,
  subject: S,
): void {
  if (isThenable(value)) {
    value.then(
      (resolved) => next(resolved, subject),
      (error: unknown) => fail(error, subject),
    );
  } else next(value, subject);
}
