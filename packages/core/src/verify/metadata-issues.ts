import type { MetadataIssue } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { StandardSchemaV1 } from "../shared/standard-schema.js";

/** Longest key, in characters, an issue's path shows; a key is the sender's text. */
const MAX_KEY_LENGTH = 64;
/** Deepest path an issue shows. */
const MAX_PATH_LENGTH = 32;
/** Longest schema message kept. */
const MAX_MESSAGE_LENGTH = 200;
/** Past this many leaves no schema message is checked: every issue gets {@link WITHHELD}. */
const MAX_LEAVES = 10_000;
/**
 * A library that shortens a long value still prints a piece of it: a message holding any
 * run of this many characters of a string leaf counts as quoting it.
 */
const QUOTE_RUN = 8;
/** What an issue says when the schema's own message could hold a value. */
export const WITHHELD = "does not match the schema (its message is withheld: it could quote the value)";

function shownKey(key: string): string {
  const characters = key.length > MAX_KEY_LENGTH ? Array.from(key) : undefined;
  const bounded =
    characters && characters.length > MAX_KEY_LENGTH ? `${characters.slice(0, MAX_KEY_LENGTH).join("")}…` : key;
  return escapeText(bounded);
}

function rawPathOf(issue: StandardSchemaV1.Issue): (string | number)[] {
  // Array.from, not map: arktype's path is an Array subclass that map would copy, extras and all.
  return Array.from(issue.path ?? [], (segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
}

/** The path as it may be written anywhere: keys escaped and bounded, depth bounded. */
function shownPath(path: readonly (string | number)[]): (string | number)[] {
  const shown = path.slice(0, MAX_PATH_LENGTH).map((key) => (typeof key === "number" ? key : shownKey(key)));
  if (path.length > MAX_PATH_LENGTH) shown.push("…");
  return shown;
}

/**
 * Every leaf of the metadata, at any depth, as the text a library could print it in: a
 * string as it is and JSON-escaped, anything else as `String(value)`. Undefined when there
 * are too many leaves to check messages against.
 */
function leafTexts(metadata: unknown): string[] | undefined {
  const texts: string[] = [];
  // Iterative: a deeply nested (validly signed) body must not overflow the call stack.
  const pending: unknown[] = [metadata];
  let leaves = 0;
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "object" && value !== null) {
      for (const item of Object.values(value)) pending.push(item);
      continue;
    }
    if (++leaves > MAX_LEAVES) return undefined;
    if (typeof value === "string") {
      if (value !== "") texts.push(value, JSON.stringify(value).slice(1, -1));
    } else if (value !== undefined) texts.push(String(value));
  }
  return texts;
}

const isWordCharacter = (text: string, at: number): boolean => /\w/.test(text.charAt(at));

/**
 * True when `text` stands in `message` as a value would be printed: not inside a longer word
 * ("x" in "expected" is no quote of the value "x"; `"x"`, `(was x)` and `x,` are).
 */
function printedIn(message: string, text: string): boolean {
  const last = text.length - 1;
  for (let at = message.indexOf(text); at >= 0; at = message.indexOf(text, at + 1)) {
    const before = !isWordCharacter(text, 0) || !isWordCharacter(message, at - 1);
    const after = !isWordCharacter(text, last) || !isWordCharacter(message, at + last + 1);
    if (before && after) return true;
  }
  return false;
}

/** True when `message` prints a leaf, or holds a run of {@link QUOTE_RUN} characters of a longer one. */
function quotesALeaf(message: string, texts: readonly string[]): boolean {
  let runs: Set<string> | undefined;
  for (const text of texts) {
    if (text.length <= QUOTE_RUN) {
      if (printedIn(message, text)) return true;
      continue;
    }
    runs ??= new Set(
      Array.from({ length: Math.max(0, message.length - QUOTE_RUN + 1) }, (_, i) => message.slice(i, i + QUOTE_RUN)),
    );
    for (let i = 0; i + QUOTE_RUN <= text.length; i++) if (runs.has(text.slice(i, i + QUOTE_RUN))) return true;
  }
  return false;
}

/** The schema's message when it quotes no leaf of the metadata, else {@link WITHHELD}; escaped and bounded. */
function shownMessage(issue: StandardSchemaV1.Issue, texts: readonly string[] | undefined): string {
  const message = typeof issue.message === "string" ? issue.message : "";
  if (texts === undefined || message === "" || quotesALeaf(message, texts)) return WITHHELD;
  const bounded = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
  return escapeText(bounded);
}

/**
 * The schema's issues as they may be written anywhere: the path (keys escaped and bounded)
 * and a message that holds no value of the metadata. Schema libraries print values in their
 * own formats (valibot `received "acme"`, arktype `(was [1, 2])`, whole objects at the root),
 * so a message is kept only when none of the metadata's leaves, at any depth, appears in it.
 *
 * @example
 * ```ts
 * metadataIssues([{ message: 'Expected number but received "acme"', path: ["tenant"] }], { tenant: "acme" });
 * // [{ path: ["tenant"], message: "does not match the schema (its message is withheld: it could quote the value)" }]
 * ```
 */
export function metadataIssues(issues: readonly StandardSchemaV1.Issue[], metadata: unknown): MetadataIssue[] {
  const texts = leafTexts(metadata);
  return issues.map((issue) => ({ path: shownPath(rawPathOf(issue)), message: shownMessage(issue, texts) }));
}
