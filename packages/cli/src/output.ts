import { escapeText } from "@colivara/webhooks/adapter";
import pc from "picocolors";

/**
 * Colour functions (`green`, `red`, `bold`, `dim`…), plain identity functions when colour is off.
 *
 * @example
 * ```ts
 * const c: Colors = colorsFor(process.stdout);
 * ```
 */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether to colour what goes to `stream`: never with `NO_COLOR`, always with
 * `FORCE_COLOR` (unless it is `0` or `false`), else only on a terminal that is not `dumb`.
 *
 * @example
 * ```ts
 * const colors = colorsFor(process.stderr);
 * ```
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

/**
 * Colour functions for a stream, plain identity functions when it should not be coloured.
 *
 * @example
 * ```ts
 * process.stdout.write(`${colorsFor(process.stdout).green("ok")}\n`);
 * ```
 */
export function colorsFor(stream: { isTTY?: boolean }): Colors {
  return pc.createColors(shouldColor(stream));
}

/** Characters JSON leaves as they are that a terminal acts on or a reader misreads (C1, separators, bidi). */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One JSON line for a terminal or a pipe: `JSON.stringify` escapes C0 controls itself; the
 * characters it leaves raw that a terminal acts on (C1, DEL) or that reorder or break a line
 * (U+2028/9, bidirectional overrides) become `\uNNNN` too, so the line parses to the same value.
 *
 * @example
 * ```ts
 * out(jsonLine({ name: "\u009b2J" })); // {"name":"\u009b2J"} as six visible characters
 * ```
 */
export function jsonLine(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A received string made safe for the terminal (`escapeText` from the core: control
 * characters, separators and bidirectional overrides become visible escapes).
 *
 * @example
 * ```ts
 * out(`id ${safe(report.id)}`);
 * ```
 */
export const safe: (text: string) => string = escapeText;

/** Writes one line to stdout. */
export function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one line to stderr. */
export function err(line = ""): void {
  process.stderr.write(`${line}\n`);
}

/** Shortens a response body for display, keeping a note of the full length. */
export function preview(text: string, max = 600): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ").trim();
  if (oneLine.length <= max) return oneLine;
  return `${oneLine.slice(0, max)}… (${text.length} characters)`;
}

/** Left-pads a label column. */
export function pad(value: string, width: number): string {
  return value.length >= width ? value : value + " ".repeat(width - value.length);
}
