#!/usr/bin/env node
// The `colivara-webhooks-pg-jobs` bin: list, show and replay the dead letters of a pg-boss
// hand-off queue, as `colivara-webhooks-jobs` does for BullMQ. The core's
// runDeadLetterCommand prints, escapes and picks the exit code.
import { parseArgs } from "node:util";
import { escapeText } from "@colivara/webhooks/adapter";
import { type DeadLetterAccess, runDeadLetterCommand } from "@colivara/webhooks/worker";
import type { PgBoss } from "pg-boss";
import {
  listPgBossDeadLetters,
  type PgBossDeadLetterOptions,
  replayPgBossDeadLetter,
  showPgBossDeadLetter,
} from "./pg-boss-dead-letters.js";
import { DEFAULT_PG_BOSS_QUEUE } from "./pg-boss-hand-off.js";

const NAME = "colivara-webhooks-pg-jobs";
const USAGE = `Usage: ${NAME} <list|show <id>|replay <id>> [options]

  --database-url <url>        PostgreSQL of pg-boss (default: $DATABASE_URL)
  --queue <name>              hand-off queue a replay goes back to (default: ${DEFAULT_PG_BOSS_QUEUE})
  --dead-letter-queue <name>  dead letter queue (default: <queue>.dead-letters)
  --schema <name>             pg-boss schema (default: pgboss)
  --json                      print JSON`;

/** Longest wait for a connection (pg-boss may try twice at start): a one-shot command fails instead of hanging on a silent host. */
const CONNECT_TIMEOUT_MS = 5000;

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      "database-url": { type: "string" },
      queue: { type: "string" },
      "dead-letter-queue": { type: "string" },
      schema: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

/**
 * A pg-boss that only reads and moves jobs: it never installs or migrates its schema
 * (`migrate: false` checks it instead), runs no maintenance or cron, and registers no instance row.
 */
async function startBoss(url: string, schema: string | undefined): Promise<PgBoss> {
  const { PgBoss } = await import("pg-boss").catch(() => {
    throw new Error(`${NAME} needs pg-boss: install it next to @colivara/webhooks-postgres.`);
  });
  const boss = new PgBoss({
    connectionString: url,
    ...(schema === undefined ? {} : { schema }),
    migrate: false,
    supervise: false,
    schedule: false,
    registerInstance: false,
    max: 2,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  boss.on("error", () => {});
  try {
    await boss.start();
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw startError(error, schema ?? "pgboss");
  }
  return boss;
}

function startError(error: unknown, schema: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "pg-boss is not installed") {
    return new Error(
      `pg-boss is not installed in schema ${schema} of this database: check --database-url and --schema.`,
    );
  }
  return new Error(`cannot use the database (${message}): check --database-url or $DATABASE_URL.`);
}

function deadLettersOf(boss: PgBoss, options: PgBossDeadLetterOptions, queueName: string): DeadLetterAccess {
  return {
    queueName,
    list: () => listPgBossDeadLetters(boss, options),
    show: (id) => showPgBossDeadLetter(boss, id, options),
    replay: (id) => replayPgBossDeadLetter(boss, id, options),
  };
}

/** pg-boss's error for a queue it does not have: a wrong `--queue` or `--dead-letter-queue`. */
function queueError(error: unknown, schema: string): unknown {
  if ((error as { code?: unknown } | null)?.code !== "PGBOSS_QUEUE_NOT_FOUND") return error;
  return new Error(`${(error as Error).message} in pg-boss schema ${schema}: check --queue and --dead-letter-queue.`);
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error(`${NAME}: ${escapeText(error instanceof Error ? error.message : String(error))}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const url = args.values["database-url"] ?? process.env.DATABASE_URL;
  if (!url) {
    console.error(`${NAME}: no database: pass --database-url or set $DATABASE_URL.\n\n${USAGE}`);
    return 2;
  }
  const options = { queue: args.values.queue, deadLetterQueue: args.values["dead-letter-queue"] };
  const boss = await startBoss(url, args.values.schema);
  const queueName = options.deadLetterQueue ?? `${options.queue ?? DEFAULT_PG_BOSS_QUEUE}.dead-letters`;
  try {
    const result = await runDeadLetterCommand(deadLettersOf(boss, options, queueName), args.positionals, {
      json: args.values.json,
      usage: USAGE,
    });
    if (result.stdout !== undefined) console.log(result.stdout);
    if (result.stderr !== undefined) console.error(result.stderr);
    return result.code;
  } catch (error) {
    throw queueError(error, args.values.schema ?? "pgboss");
  } finally {
    await boss.stop({ graceful: false });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The database's messages and the names given on the command line are printed escaped.
    console.error(`${NAME}: ${escapeText(error instanceof Error ? error.message : String(error))}`);
    process.exitCode = 1;
  },
);
