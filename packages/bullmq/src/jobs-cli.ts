#!/usr/bin/env node
// The `colivara-webhooks-jobs` bin: list, show and replay the dead letters of a hand-off
// queue. Separate from the main CLI so it ships with the package that owns the queue.
import { parseArgs } from "node:util";
import { escapeText } from "@colivara/webhooks/adapter";
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

type Args = ReturnType<typeof parse>;

async function run(queue: Queue, args: Args): Promise<number> {
  const [command, id] = args.positionals;
  const print = (value: unknown, text: string) => console.log(args.values.json ? JSON.stringify(value, null, 2) : text);
  if (command === "list") {
    const letters = await listDeadLetters(queue);
    const lines = letters.map(
      (l) => `${escapeText(l.id)}  ${l.kind}  ${l.type}  ${l.at?.toISOString() ?? "-"}  ${l.reason}`,
    );
    print(letters, lines.length ? lines.join("\n") : "No dead letters.");
    return 0;
  }
  if ((command === "show" || command === "replay") && id) {
    const found = command === "show" ? await showDeadLetter(queue, id) : await replayDeadLetter(queue, id);
    if (found === undefined || found === "not_found") {
      console.error(`No dead letter with id ${id} in queue ${queue.name}.`);
      return 1;
    }
    print(found, command === "show" ? JSON.stringify(found, null, 2) : `Replayed ${id}: back to waiting.`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

async function main(): Promise<number> {
  const args = parse();
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
    return await run(queue, args);
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
