// The dead letters of a pg-boss hand-off queue: the jobs in its dead letter queue, moved there
// by pg-boss when the worker failed them for good (`failed`), or sent there by an inline
// route's `handOff.deadLetter` (`refused`). A replay moves one back with pg-boss's redrive.
import {
  type ColivaraJobData,
  type DeadLetterDetails,
  type DeadLetterFacts,
  type DeadLetterSummary,
  deadLetterDetails,
  deadLetterSummary,
} from "@colivara/webhooks/worker";
import type { JobWithMetadata, PgBoss } from "pg-boss";
import { DEFAULT_PG_BOSS_QUEUE, queueName } from "./pg-boss-hand-off.js";

/**
 * Which queues the dead-letter functions read: the same names as the hand-off and worker.
 *
 * @example
 * ```ts
 * const options: PgBossDeadLetterOptions = { queue: "colivara-webhooks", limit: 100 };
 * ```
 */
export interface PgBossDeadLetterOptions {
  /** The hand-off queue a replay goes back to. Default `"colivara-webhooks"`. */
  queue?: string | undefined;
  /** Default `"<queue>.dead-letters"`. */
  deadLetterQueue?: string | undefined;
  /** Most dead letters listed, oldest first. Default 1000. */
  limit?: number | undefined;
}

type Letter = JobWithMetadata<ColivaraJobData>;

function queues(options: PgBossDeadLetterOptions): { queue: string; deadLetterQueue: string } {
  const queue = queueName("queue", options.queue, DEFAULT_PG_BOSS_QUEUE);
  return { queue, deadLetterQueue: queueName("deadLetterQueue", options.deadLetterQueue, `${queue}.dead-letters`) };
}

function factsOf(letter: Letter): DeadLetterFacts {
  const output = letter.sourceOutput as { message?: unknown } | null;
  const refused = letter.sourceId === null;
  return {
    id: letter.data.id,
    kind: refused ? "refused" : "failed",
    data: letter.data,
    failedReason: typeof output?.message === "string" ? output.message : undefined,
    attemptsMade: refused ? 0 : (letter.sourceRetryCount ?? 0) + 1,
    at: letter.createdOn,
  };
}

/** The dead letters of `id`: by the delivery's id (what the list shows) or by a dead letter job's own id. */
async function find(boss: PgBoss, deadLetterQueue: string, id: string): Promise<Letter[]> {
  const byDelivery = await boss.findJobs<ColivaraJobData>(deadLetterQueue, { data: { id } });
  if (byDelivery.length > 0 || !/^[0-9a-f-]{36}$/i.test(id)) return byDelivery as Letter[];
  return (await boss.findJobs<ColivaraJobData>(deadLetterQueue, { id })) as Letter[];
}

/**
 * The dead letters of a pg-boss hand-off queue, oldest first: jobs the worker failed for good
 * and deliveries an inline route refused. Every stored string is escaped in `reason` and `type`.
 *
 * @example
 * ```ts
 * for (const letter of await listPgBossDeadLetters(boss)) console.log(letter.id, letter.kind, letter.reason);
 * ```
 */
export async function listPgBossDeadLetters(
  boss: PgBoss,
  options: PgBossDeadLetterOptions = {},
): Promise<DeadLetterSummary[]> {
  const { deadLetterQueue } = queues(options);
  const letters = await boss.findJobs<ColivaraJobData>(deadLetterQueue, { limit: options.limit ?? 1000 });
  return (letters as Letter[]).map((letter) => deadLetterSummary(factsOf(letter)));
}

/**
 * One dead letter with its delivery, or undefined: `id` is the delivery id (as listed) or the dead letter job's id.
 *
 * @example
 * ```ts
 * const letter = await showPgBossDeadLetter(boss, "msg_2b…");
 * if (letter) console.log(letter.webhook.event, letter.reason);
 * ```
 */
export async function showPgBossDeadLetter(
  boss: PgBoss,
  id: string,
  options: PgBossDeadLetterOptions = {},
): Promise<DeadLetterDetails | undefined> {
  const [letter] = await find(boss, queues(options).deadLetterQueue, id);
  return letter ? deadLetterDetails(factsOf(letter), []) : undefined;
}

/**
 * Moves a dead letter back to the hand-off queue (pg-boss's `redrive`), where the worker runs
 * it as a new job: the claim of a job that failed was released, so its handler runs again.
 *
 * @example
 * ```ts
 * await replayPgBossDeadLetter(boss, "msg_2b…"); // "replayed" or "not_found"
 * ```
 */
export async function replayPgBossDeadLetter(
  boss: PgBoss,
  id: string,
  options: PgBossDeadLetterOptions = {},
): Promise<"replayed" | "not_found"> {
  const { queue, deadLetterQueue } = queues(options);
  const letters = await find(boss, deadLetterQueue, id);
  if (letters.length === 0) return "not_found";
  const moved = await boss.redrive(deadLetterQueue, { ids: letters.map((letter) => letter.id), destination: queue });
  return moved > 0 ? "replayed" : "not_found";
}
