import { escapeText } from "../shared/escape-text.js";
import type { VerifiedWebhook } from "../shared/events.js";
import { type ColivaraJobData, fromJobData } from "./job-data.js";

/**
 * One dead letter: a job the worker failed for good (`failed`), or a delivery an inline
 * handler refused and `handOff.deadLetter` kept (`refused`).
 *
 * @example
 * ```ts
 * const [first]: DeadLetterSummary[] = await listDeadLetters(queue);
 * console.log(first?.id, first?.reason);
 * ```
 */
export interface DeadLetterSummary {
  id: string;
  kind: "failed" | "refused";
  /** The event type (`"unknown"` for types this version does not know). */
  type: string;
  /** Why it failed or was refused, escaped (`\x0a` for a newline): safe to print. */
  reason: string;
  attemptsMade: number;
  /** When it failed or was refused. */
  at: Date | undefined;
}

/**
 * A dead letter with its delivery, for `showDeadLetter`.
 *
 * @example
 * ```ts
 * const letter: DeadLetterDetails | undefined = await showDeadLetter(queue, "msg_2b…");
 * ```
 */
export interface DeadLetterDetails extends DeadLetterSummary {
  webhook: VerifiedWebhook;
  traceContext: Record<string, string> | undefined;
  /** Stack traces of the failed attempts, newest last. */
  stacktrace: string[];
}

/**
 * What a queue knows of one dead letter, before the text is made safe to print.
 *
 * @example
 * ```ts
 * const facts: DeadLetterFacts = { id: job.id, kind: "failed", data: job.data, reason: job.failedReason, attemptsMade: 5, at };
 * ```
 */
export interface DeadLetterFacts {
  /** The job's id (the delivery's `dedupeKey`). */
  id: string;
  kind: DeadLetterSummary["kind"];
  data: ColivaraJobData;
  /** The failure's message as stored; for a refused delivery, `data.refused` is used instead. */
  failedReason: string | undefined;
  attemptsMade: number;
  at: Date | undefined;
}

/**
 * A dead letter's summary, its stored text escaped where it is built for printing (the
 * reason may quote what the sender chose).
 *
 * @example
 * ```ts
 * const summary = deadLetterSummary({ id, kind: "failed", data, failedReason, attemptsMade, at });
 * ```
 */
export function deadLetterSummary(facts: DeadLetterFacts): DeadLetterSummary {
  const reason = facts.kind === "refused" ? facts.data.refused : facts.failedReason;
  return {
    id: facts.id,
    kind: facts.kind,
    type: escapeText(facts.data.event.type),
    reason: escapeText(reason ?? ""),
    attemptsMade: facts.attemptsMade,
    at: facts.at,
  };
}

/**
 * A dead letter with its delivery (as the adapters give it) and the request's trace context.
 *
 * @example
 * ```ts
 * const letter = deadLetterDetails(facts, job.stacktrace ?? []);
 * ```
 */
export function deadLetterDetails(facts: DeadLetterFacts, stacktrace: string[]): DeadLetterDetails {
  return {
    ...deadLetterSummary(facts),
    webhook: fromJobData(facts.data),
    traceContext: facts.data.traceContext,
    stacktrace,
  };
}
