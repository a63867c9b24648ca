/**
 * Characters that forge a log line or drive a terminal: C0 controls (newline, carriage
 * return, ESC among them), DEL, C1 controls (U+0085 is a newline to some readers, U+009B a
 * terminal's control sequence introducer), the Unicode line and paragraph separators, and
 * the bidirectional overrides and isolates that reorder what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this function's job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * The most characters of one received string that a log line, a span attribute or an error
 * message carries: a Svix id is about 30, and a signed id of megabytes must not make a
 * megabyte log line. The rest is counted, not written.
 */
export const ESCAPED_TEXT_MAX_LENGTH = 512;

/**
 * A string from the network made safe to write where people and parsers read lines (a log,
 * a terminal, a span attribute, an error message): every control character, line separator
 * and bidirectional override becomes a visible `\xNN` or `\uNNNN`, and text past
 * `maxLength` characters is cut and counted. Printable text, including non-Latin scripts and
 * emoji, is kept as it is. The one function every package uses, so that no writer escapes
 * differently.
 *
 * @example
 * ```ts
 * escapeText("msg_1\n[ok] forged line"); // "msg_1\\x0a[ok] forged line"
 * ```
 */
export function escapeText(text: string, maxLength: number = ESCAPED_TEXT_MAX_LENGTH): string {
  const kept = text.length > maxLength ? text.slice(0, maxLength) : text;
  const escaped = UNSAFE.test(kept) ? kept.replace(UNSAFE_ALL, escapeCharacter) : kept;
  return kept === text ? escaped : `${escaped}…(${text.length - maxLength} more characters)`;
}

/** What JSON.stringify leaves raw: every unsafe character but the C0 controls, which it escapes itself. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, 2)` safe to print to a terminal: the characters JSON leaves raw
 * (DEL, C1 controls, line separators, bidirectional overrides) written as `\uNNNN`, so the
 * text parses back to the same values and drives nothing.
 *
 * @example
 * ```ts
 * printableJson({ name: "report\u009b2J.pdf" }); // '{\n  "name": "report\\u009b2J.pdf"\n}'
 * ```
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    UNSAFE_IN_JSON,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
