import { dedupeKey } from "@colivara/webhooks/adapter";
import {
  type ColivaraJobData,
  type DeadLetterDetails,
  type DeadLetterFacts,
  type DeadLetterSummary,
  deadLetterDetails,
  deadLetterSummary,
} from "@colivara/webhooks/worker";
import type { Job, Queue } from "bullmq";
import { DEAD_LETTER_JOB_NAME } from "./defaults.js";

type ColivaraJob = Job<ColivaraJobData>;

function factsOf(job: ColivaraJob, kind: DeadLetterSummary["kind"]): DeadLetterFacts {
  return {
    id: String(job.id),
    kind,
    data: job.data,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    at: new Date(kind === "refused" ? job.timestamp : (job.finishedOn ?? job.timestamp)),
  };
}

const summarize = (job: ColivaraJob, kind: DeadLetterSummary["kind"]) => deadLetterSummary(factsOf(job, kind));

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
  return deadLetterDetails(factsOf(found.job, found.kind), found.job.stacktrace ?? []);
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
