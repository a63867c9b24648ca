// What a server may write on stderr under hostile load: the default delivery log's lines, and
// nothing else. Per window: refusals of unverified requests, refusals of signed deliveries and
// slow-handler warnings, each at most 10 plus one summary; a drift and a burst warning.
import { DEFAULT_LOG_LINES, DEFAULT_LOG_WINDOW_MS } from "@colivara/webhooks/adapter";

const PREFIX = "[colivara-webhooks]";
/** Unverified refusals, signed refusals, slow-handler warnings. */
const PACED_KINDS = 3;
/** Clock drift and signature bursts: each at most once a window. */
const UNPACED_WARNINGS = 2;

/** The lines that are not the default log's, and whether the default log stayed within its pace. */
export function checkStderr(
  lines: string[],
  elapsedMs: number,
): { unexpected: string[]; logged: number; bound: number } {
  const nonEmpty = lines.filter((line) => line.trim() !== "");
  const logged = nonEmpty.filter((line) => line.startsWith(PREFIX)).length;
  // Each window started: its lines and summaries of the three paced kinds, and the two warnings.
  const windows = Math.ceil(elapsedMs / DEFAULT_LOG_WINDOW_MS) + 1;
  const perWindow = PACED_KINDS * (DEFAULT_LOG_LINES + 1) + UNPACED_WARNINGS;
  return {
    unexpected: nonEmpty.filter((line) => !line.startsWith(PREFIX)),
    logged,
    bound: windows * perWindow,
  };
}
