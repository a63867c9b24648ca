// What a server may write on stderr under hostile load: the default delivery log's lines
// (one per refused attempt, at most 10 a minute plus one summary), and nothing else.
import { DEFAULT_LOG_LINES, DEFAULT_LOG_WINDOW_MS } from "@colivara/webhooks/adapter";

const PREFIX = "[colivara-webhooks]";

/** The lines that are not the default log's, and whether the default log stayed within its pace. */
export function checkStderr(
  lines: string[],
  elapsedMs: number,
): { unexpected: string[]; logged: number; bound: number } {
  const nonEmpty = lines.filter((line) => line.trim() !== "");
  const logged = nonEmpty.filter((line) => line.startsWith(PREFIX)).length;
  // Each window started: its lines and its summary.
  const windows = Math.ceil(elapsedMs / DEFAULT_LOG_WINDOW_MS) + 1;
  return {
    unexpected: nonEmpty.filter((line) => !line.startsWith(PREFIX)),
    logged,
    bound: windows * (DEFAULT_LOG_LINES + 1),
  };
}
