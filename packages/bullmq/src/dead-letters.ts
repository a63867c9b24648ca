import type { VerifiedWebhook } from "@colivara/webhooks";
import { dedupeKey, escapeText } from "@colivara/webhooks/adapter";
import type { Job, Queue } from "bullmq";
import { DEAD_LETTER_JOB_NAME } from "./defaults.js";
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

type ColivaraJob = Job<ColivaraJobData>;

function summarize(job: ColivaraJob, kind: DeadLetterSummary["kind"]): DeadLetterSummary {
  const refused = kind === "refused";
  return {
    id: String(job.id),
    kind,
    type: escapeText(job.data.event.type),
    // Stored text that may quote what the sender chose: escaped where a summary is built for printing.
    reason: escapeText(refused ? (job.data.refused ?? "") : (job.failedReason ?? "")),
    attemptsMade: job.attemptsMade,
    at: new Date(refused ? job.timestamp : (job.finishedOn ?? job.timestamp)),
  };
}

async function kindOf(job: ColivaraJob): Promise<DeadLetterSummary["kind"] | undefined> {
  if (job.name === DEAD_LETTER_JOB_NAME && (await job.isDelayed())) return "refused";
  if (await job.isFailed()) return "failed";
  return undefined;
}

async function find(
  queue: Queue,
  id: string,
): Promise<{ job: ColivaraJob; kind: DeadLetterSummary["kind"] } | undefined> {
  // A job's id is its delivery's dedupeKey: the id itself, or a digest of an id over 256 bytes.
  // Either the delivery id or the job id (what listDeadLetters gives for such an id) finds it.
  const key = await dedupeKey(id);
  const job = ((await queue.getJob(key)) ?? (key === id ? undefined : await queue.getJob(id))) as
    | ColivaraJob
    | undefined;
  const kind = job ? await kindOf(job) : undefined;
  return job && kind ? { job, kind } : undefined;
}

/**
 * The dead letters of a hand-off queue, oldest failures first: failed jobs, then refused
 * deliveries kept by an inline route.
 *
 * @example
 * ```ts
 * for (const letter of await listDeadLetters(queue)) console.log(letter.id, letter.type, letter.reason);
 * ```
 */
export async function listDeadLetters(queue: Queue, options: { limit?: number } = {}): Promise<DeadLetterSummary[]> {
  const limit = options.limit ?? 1000;
  // BullMQ's getFailed lists the newest first; dead letters are read oldest first.
  const failed = (await queue.getJobs(["failed"], 0, limit - 1, true)) as ColivaraJob[];
  const delayed = (await queue.getDelayed(0, -1)) as ColivaraJob[];
  const refused = delayed.filter((job) => job.name === DEAD_LETTER_JOB_NAME);
  return [...failed.map((job) => summarize(job, "failed")), ...refused.map((job) => summarize(job, "refused"))].slice(
    0,
    limit,
  );
}

/**
 * One dead letter with its delivery, or undefined when `id` is not a dead letter.
 *
 * @example
 * ```ts
 * const letter = await showDeadLetter(queue, "msg_2b…");
 * if (letter) console.log(letter.webhook.event, letter.stacktrace.at(-1));
 * ```
 */
export async function showDeadLetter(queue: Queue, id: string): Promise<DeadLetterDetails | undefined> {
  const found = await find(queue, id);
  if (!found) return undefined;
  const { job, kind } = found;
  return {
    ...summarize(job, kind),
    webhook: fromJobData(job.data),
    traceContext: job.data.traceContext,
    stacktrace: job.stacktrace ?? [],
  };
}

/**
 * Moves a dead letter back to waiting, with its attempts reset, so a worker processes it
 * again. Resolves `"replayed"`, or `"not_found"` when `id` is not a dead letter.
 *
 * @example
 * ```ts
 * if ((await replayDeadLetter(queue, "msg_2b…")) === "not_found") console.error("no such dead letter");
 * ```
 */
export async function replayDeadLetter(queue: Queue, id: string): Promise<"replayed" | "not_found"> {
  const found = await find(queue, id);
  if (!found) return "not_found";
  if (found.kind === "refused") await found.job.promote();
  else await found.job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  return "replayed";
}
