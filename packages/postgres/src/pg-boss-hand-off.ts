import type { DeadLetter, HandOff, HandOffContext, VerifiedWebhook } from "@colivara/webhooks";
import { DEFAULT_DEDUPE_TTL_SECONDS, dedupeKey, numberOption } from "@colivara/webhooks/adapter";
import { type ColivaraJobData, currentTraceContext, toJobData } from "@colivara/webhooks/worker";
import type { PgBoss } from "pg-boss";
import { handOffUnavailable, withTimeout } from "./hand-off-errors.js";
import { pgBossJobId } from "./job-id.js";
import { checkOptionKeys } from "./option-keys.js";
import { invalid, type PostgresClient, type RunSql } from "./sql-client.js";
import { statements } from "./statements.js";
import { tableOption } from "./table-name.js";
import { transactionRunner } from "./transaction.js";

/** The queue name the examples use; the hand-off and the worker must agree on it. */
export const DEFAULT_PG_BOSS_QUEUE: string = "colivara-webhooks";

/**
 * Options of {@link pgBossHandOff}.
 *
 * @example
 * ```ts
 * const options: PgBossHandOffOptions = { client: pool, queue: "colivara-webhooks", timeoutMs: 3000 };
 * ```
 */
export interface PgBossHandOffOptions {
  /**
   * The pg `Pool` or postgres.js `sql` of the database pg-boss uses (its schema and the
   * dedupe table in one database): the mark and the job are written in one transaction on it.
   */
  client: PostgresClient;
  /** The pg-boss queue, created beforehand (`createPgBossWorker` creates it). Default `"colivara-webhooks"`. */
  queue?: string | undefined;
  /** The queue inline dead letters go to. Default `"<queue>.dead-letters"`, the worker's too. */
  deadLetterQueue?: string | undefined;
  /** The dedupe table ({@link migrate} creates it). Default `"colivara_webhook_dedupe"`. */
  table?: string | undefined;
  /** How long a handed-off id is remembered: a copy within it answers 200. Default 28 hours. */
  ttlSeconds?: number | undefined;
  /** Longest wait for PostgreSQL before the adapter answers 503. Default 5,000 ms, well under Svix's 15 s. */
  timeoutMs?: number | undefined;
}

/**
 * A hand-off for every adapter's `handOff` option, plus the `deadLetter` that keeps
 * deliveries an inline handler refused in the dead letter queue.
 *
 * @example
 * ```ts
 * const handOff: PgBossHandOff = pgBossHandOff(boss, { client: pool });
 * app.post("/webhooks/colivara", verifyColivara({ handOff }));
 * ```
 */
export interface PgBossHandOff extends HandOff {
  /** The queue jobs go to. */
  readonly queue: string;
  /** For an inline route's `deadLetter` option: keeps a refused delivery in the dead letter queue, to list and replay. */
  readonly deadLetter: DeadLetter;
}

const KEYS = ["client", "queue", "deadLetterQueue", "table", "ttlSeconds", "timeoutMs"] as const;

/** Checks a queue name option: pg-boss's own rule (letters, digits, `_ - . /`). */
export function queueName(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === "string" && /^[\w.\-/]{1,100}$/.test(value)) return value;
  throw invalid(`${name} must be a pg-boss queue name (letters, digits, _ - . /), got ${JSON.stringify(value)}.`);
}

/** pg-boss's `db` option: its statements run on our transaction's connection. */
function onTransaction(run: RunSql) {
  return { executeSql: async (text: string, values?: unknown[]) => ({ rows: await run(text, values) }) };
}

/**
 * Hands verified deliveries to pg-boss, in the database that remembers them: in **one
 * transaction** on `client`, the delivery's id is marked handed off in the dedupe table and
 * its job is inserted (`boss.send` bound to that transaction). COMMIT resolves `"stored"`
 * (the adapter answers 202); an id already marked resolves `"duplicate"` (200) and inserts
 * nothing; any failure rolls both back and rejects (503 `handoff_unavailable`), so the
 * retry starts afresh. A crash between the two writes cannot keep one without the other.
 *
 * The job id is {@link pgBossJobId}`(id)`, a UUID derived from the delivery id. A wait past
 * `timeoutMs` answers 503 while the transaction may still commit: the sender's retry then
 * finds the mark and answers 200, and the job is there. Bad options throw `invalid_config`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { PgBoss } from "pg-boss";
 * import { migrate, pgBossHandOff } from "@colivara/webhooks-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const boss = new PgBoss(process.env.DATABASE_URL ?? "");
 * await boss.start();
 * await boss.createQueue("colivara-webhooks");
 * app.post("/webhooks/colivara", verifyColivara({ handOff: pgBossHandOff(boss, { client: pool }) }));
 * ```
 */
export function pgBossHandOff(boss: PgBoss, options: PgBossHandOffOptions): PgBossHandOff {
  if (typeof (boss as Partial<PgBoss> | null)?.send !== "function") {
    throw invalid("pgBossHandOff(boss, { client }) needs a PgBoss instance: new PgBoss(process.env.DATABASE_URL).");
  }
  checkOptionKeys("pgBossHandOff", options, KEYS);
  const transaction = transactionRunner(options.client, "pgBossHandOff({ client })");
  const queue = queueName("queue", options.queue, DEFAULT_PG_BOSS_QUEUE);
  const deadLetterQueue = queueName("deadLetterQueue", options.deadLetterQueue, `${queue}.dead-letters`);
  const sql = statements(tableOption(options.table));
  const ttlMs =
    numberOption("ttlSeconds", options.ttlSeconds, { fallback: DEFAULT_DEDUPE_TTL_SECONDS, unit: "seconds" }) * 1000;
  const timeoutMs = numberOption("timeoutMs", options.timeoutMs, { fallback: 5000, unit: "milliseconds" });

  const store = async (
    run: RunSql,
    webhook: VerifiedWebhook,
    data: ColivaraJobData,
  ): Promise<"stored" | "duplicate"> => {
    const key = await dedupeKey(webhook.id);
    const marked = await run(sql.handOff, [key, ttlMs]);
    if (marked.length === 0) {
      // An inline route's claim on the same table, still running: not handled yet, so the
      // sender must retry rather than hear "duplicate".
      if ((await run(sql.inFlight, [key])).length > 0)
        throw new Error("the delivery is being handled inline right now");
      return "duplicate";
    }
    // null: a job of this id outlived the mark (pg-boss keeps jobs longer): still one job.
    const id = await boss.send(queue, data, { id: pgBossJobId(webhook.id), db: onTransaction(run) });
    return id === null ? "duplicate" : "stored";
  };

  async function enqueue(webhook: VerifiedWebhook, context: HandOffContext): Promise<"stored" | "duplicate"> {
    const data = toJobData(webhook, context.traceContext ?? (await currentTraceContext()));
    try {
      return await withTimeout(
        transaction((run) => store(run, webhook, data)),
        timeoutMs,
      );
    } catch (error) {
      throw handOffUnavailable(error, queue);
    }
  }

  const deadLetter: DeadLetter = async (webhook, error) => {
    const data: ColivaraJobData = { ...toJobData(webhook), refused: error.message };
    try {
      await withTimeout(boss.send(deadLetterQueue, data, { id: pgBossJobId(webhook.id) }), timeoutMs);
    } catch (failure) {
      throw handOffUnavailable(failure, deadLetterQueue);
    }
  };

  return { queue, enqueue, deadLetter };
}
