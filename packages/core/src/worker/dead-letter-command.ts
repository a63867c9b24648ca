import { escapeText } from "../shared/escape-text.js";
import type { DeadLetterDetails, DeadLetterSummary } from "./dead-letters.js";

/**
 * A queue's dead letters, as a jobs CLI reaches them.
 *
 * @example
 * ```ts
 * const access: DeadLetterAccess = {
 *   queueName: queue.name,
 *   list: () => listDeadLetters(queue),
 *   show: (id) => showDeadLetter(queue, id),
 *   replay: (id) => replayDeadLetter(queue, id),
 * };
 * ```
 */
export interface DeadLetterAccess {
  /** Named when an id is not found. */
  readonly queueName: string;
  list(): Promise<DeadLetterSummary[]>;
  show(id: string): Promise<DeadLetterDetails | undefined>;
  replay(id: string): Promise<"replayed" | "not_found">;
}

/**
 * What a jobs CLI prints and its exit code: 0 done, 1 no such dead letter, 2 usage.
 *
 * @example
 * ```ts
 * const { code, stdout, stderr }: DeadLetterCommandResult = await runDeadLetterCommand(access, ["list"], options);
 * ```
 */
export interface DeadLetterCommandResult {
  code: 0 | 1 | 2;
  stdout?: string | undefined;
  stderr?: string | undefined;
}

/** One line per dead letter: the id, kind, type, time and reason, every stored string escaped. */
export function deadLetterLines(letters: readonly DeadLetterSummary[]): string {
  if (letters.length === 0) return "No dead letters.";
  return letters
    .map((l) => `${escapeText(l.id)}  ${l.kind}  ${l.type}  ${l.at?.toISOString() ?? "-"}  ${l.reason}`)
    .join("\n");
}

/**
 * Runs `list`, `show <id>` or `replay <id>` against a queue's dead letters and returns the
 * text to print (JSON with `json`); anything else returns `usage` on stderr with code 2.
 *
 * @example
 * ```ts
 * const result = await runDeadLetterCommand(access, args.positionals, { json: args.values.json, usage: USAGE });
 * if (result.stdout) console.log(result.stdout);
 * if (result.stderr) console.error(result.stderr);
 * process.exitCode = result.code;
 * ```
 */
export async function runDeadLetterCommand(
  access: DeadLetterAccess,
  positionals: readonly string[],
  options: { json: boolean; usage: string },
): Promise<DeadLetterCommandResult> {
  const [command, id] = positionals;
  const text = (value: unknown, plain: string) => (options.json ? JSON.stringify(value, null, 2) : plain);
  if (command === "list") {
    const letters = await access.list();
    return { code: 0, stdout: text(letters, deadLetterLines(letters)) };
  }
  if ((command === "show" || command === "replay") && id) {
    const found = command === "show" ? await access.show(id) : await access.replay(id);
    if (found === undefined || found === "not_found") {
      return { code: 1, stderr: `No dead letter with id ${escapeText(id)} in queue ${escapeText(access.queueName)}.` };
    }
    const plain = command === "show" ? JSON.stringify(found, null, 2) : `Replayed ${escapeText(id)}: back to waiting.`;
    return { code: 0, stdout: text(found, plain) };
  }
  return { code: 2, stderr: options.usage };
}
