#!/usr/bin/env node
// The `colivara-webhooks-jobs` bin: list, show and replay the dead letters of a hand-off
// queue. Separate from the main CLI so it ships with the package that owns the queue.
import { parseArgs } from "node:util";
import { escapeText } from "@colivara/webhooks/adapter";
import { type DeadLetterAccess, runDeadLetterCommand } from "@colivara/webhooks/worker";
import { Queue } from "bullmq";
import { listDeadLetters, replayDeadLetter, showDeadLetter } from "./dead-letters.js";
import { DEFAULT_QUEUE_NAME } from "./defaults.js";

const USAGE = `Usage: colivara-webhooks-jobs <list|show <id>|replay <id>> [options]

  --redis-url <url>  Redis of the queue (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue <name>     queue name (default: ${DEFAULT_QUEUE_NAME})
  --prefix <prefix>  BullMQ key prefix (default: bull)
  --json             print JSON`;

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      "redis-url": { type: "string" },
      queue: { type: "string" },
      prefix: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

function deadLettersOf(queue: Queue): DeadLetterAccess {
  return {
    queueName: queue.name,
    list: () => listDeadLetters(queue),
    show: (id) => showDeadLetter(queue, id),
    replay: (id) => replayDeadLetter(queue, id),
  };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    // Wrong usage, like a wrong command: exit 2 with the usage, not 1 as for a missing dead letter.
    console.error(
      `colivara-webhooks-jobs: ${escapeText(error instanceof Error ? error.message : String(error))}\n\n${USAGE}`,
    );
    return 2;
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const url = args.values["redis-url"] ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // One-shot command: fail after one try instead of waiting for Redis forever.
  const queue = new Queue(args.values.queue ?? DEFAULT_QUEUE_NAME, {
    connection: { url, maxRetriesPerRequest: 1, retryStrategy: () => null },
    ...(args.values.prefix ? { prefix: args.values.prefix } : {}),
  });
  queue.on("error", () => {});
  try {
    const result = await runDeadLetterCommand(deadLettersOf(queue), args.positionals, {
      json: args.values.json,
      usage: USAGE,
    });
    if (result.stdout !== undefined) console.log(result.stdout);
    if (result.stderr !== undefined) console.error(result.stderr);
    return result.code;
  } finally {
    await queue.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`colivara-webhooks-jobs: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
