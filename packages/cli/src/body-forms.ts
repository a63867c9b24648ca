/**
 * How a pasted body is often not the bytes that were signed, and the body each repair gives
 * back. Whitespace a paste or an editor adds is repaired (the delivery then verifies, and
 * `verify` says what was removed); a re-serialised body is only named, never accepted.
 */
export const PASTE_REPAIRS: ReadonlyArray<readonly [how: string, repair: (body: string) => string]> = [
  ["the trailing newline your paste or editor added was removed", (body) => body.replace(/\r?\n$/, "")],
  ["CRLF line ends were turned back into LF", (body) => body.replace(/\r\n/g, "\n")],
  ["a trailing newline was added back", (body) => `${body}\n`],
];

function pythonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `json.dumps(value)` as Python writes it by default: `", "` and `": "` separators, non-ASCII as `\uNNNN`. */
function pythonDumps(value: unknown): string {
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${pythonString(key)}: ${pythonDumps(item)}`);
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The forms a JSON body is usually sent in, for a body that was pretty-printed or otherwise
 * re-serialised after it was sent: compact (`JSON.stringify`) and Python's default `json.dumps`.
 * Empty when the body is not JSON.
 *
 * @example
 * ```ts
 * sentForms('{\n  "a": 1\n}'); // [["compact JSON", '{"a":1}'], ["Python json.dumps", '{"a": 1}']]
 * ```
 */
export function sentForms(body: string): Array<[form: string, body: string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const forms: Array<[string, string]> = [
    ["compact JSON", JSON.stringify(parsed)],
    ["Python's json.dumps", pythonDumps(parsed)],
  ];
  return forms.filter(([, form]) => form !== body);
}

/**
 * Whether a body looks pretty-printed: JSON whose lines are indented.
 *
 * @example
 * ```ts
 * isPrettyPrinted('{\n  "type": "upsert.success"\n}'); // true
 * ```
 */
export function isPrettyPrinted(body: string): boolean {
  return /^[{[]\s*\n[ \t]+["{[\]}]/.test(body.trimStart());
}
