import {
  createVerifier,
  DEFAULT_TOLERANCE_SECONDS,
  isWebhookVerificationError,
  type VerifiedWebhook,
  type Verifier,
  type WebhookVerificationError,
} from "@colivara/webhooks";
import { isPrettyPrinted, PASTE_REPAIRS, sentForms } from "./body-forms.js";
import { CliError, EXIT_CODES } from "./errors.js";
import { type Colors, colorsFor, jsonLine, out, safe } from "./output.js";
import { readCapped, readFileCapped } from "./read-capped.js";
import { resolveSecrets, type SecretFlags, secretSetting } from "./secret.js";
import { secretMatcher } from "./secret-match.js";
import { shortenSignature } from "./shown-headers.js";

/** The flags of `verify`. */
export interface VerifyFlags extends SecretFlags {
  json?: boolean;
}

/**
 * A delivery to check: headers and the exact body.
 *
 * @example
 * ```ts
 * const pasted: PastedDelivery = { headers: [["svix-id", "msg_1"]], body: "{}" };
 * ```
 */
export interface PastedDelivery {
  headers: Array<[string, string]>;
  body: string;
}

function fromJson(text: string): PastedDelivery | undefined {
  let parsed: { headers?: unknown; body?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || typeof parsed.body !== "string") return undefined;
  if ((parsed as { bodyCut?: unknown }).bodyCut === true) {
    throw new CliError(
      "usage",
      "This listen --json line holds only the first 64 KiB of the body (bodyCut): it cannot verify. Save the delivery from the inspector (Save as delivery file) while the listener still keeps it.",
    );
  }
  const raw = parsed.headers;
  const entries = Array.isArray(raw) ? raw : raw !== null && typeof raw === "object" ? Object.entries(raw) : [];
  const headers = entries
    .filter((entry): entry is [string, unknown] => Array.isArray(entry) && typeof entry[0] === "string")
    .map(([name, value]): [string, string] => [name, String(value)]);
  return { headers, body: parsed.body };
}

/**
 * Reads what `verify` was given: a saved delivery (`{"headers": {…}, "body": "…"}`) or
 * pasted text (header lines `Name: value`, an optional request line, a blank line, the body).
 *
 * @example
 * ```ts
 * parseDelivery("svix-id: msg_1\nsvix-timestamp: 1700000000\nsvix-signature: v1,…\n\n{\"type\":\"upsert.success\"}");
 * ```
 */
export function parseDelivery(text: string): PastedDelivery {
  const saved = fromJson(text);
  if (saved) return saved;
  const normalized = text.replace(/^\uFEFF/, "");
  const split = normalized.search(/\r?\n\r?\n/);
  if (split === -1) {
    throw new CliError(
      "usage",
      'Expected header lines ("svix-id: msg_…"), a blank line, then the body; or a saved delivery {"headers": {…}, "body": "…"}.',
    );
  }
  const head = normalized.slice(0, split);
  const body = normalized.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /^[A-Z]+ \S+ HTTP\//.test(line)) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

/**
 * Most bytes read from standard input or a file: 16 times the largest body a verifier
 * accepts by default, room for its headers and a raised limit.
 */
const STDIN_LIMIT_BYTES = 16 * 1024 * 1024;

function tooLarge(where: string): CliError {
  const mib = STDIN_LIMIT_BYTES / 1024 / 1024;
  return new CliError(
    "usage",
    `More than ${mib} MiB ${where}: a delivery is its headers and a body the verifier caps at 1 MiB by default. Save only the delivery (headers, a blank line, the body) and try again.`,
  );
}

async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === "-") {
    if (process.stdin.isTTY) {
      throw new CliError(
        "usage",
        "Give a saved delivery file, or paste the headers, a blank line and the body into standard input (end with Ctrl+D).",
      );
    }
    const bytes = await readCapped(process.stdin, STDIN_LIMIT_BYTES);
    if (bytes === undefined) throw tooLarge("on standard input");
    return bytes.toString("utf8");
  }
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileCapped(file, STDIN_LIMIT_BYTES);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new CliError("usage", `Cannot read the delivery file ${file}: ${code}.`, { cause: error });
  }
  if (bytes === undefined) throw tooLarge(`in ${file}`);
  return bytes.toString("utf8");
}

/** A header name as HTTP allows it (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The first character of a header value the Headers API refuses: beyond U+00FF, NUL, CR, LF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL, CR and LF are what headers cannot carry.
const NOT_IN_HEADER = /[^\u0000-\u00ff]|[\u0000\r\n]/;

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Refuses, with what to do, a header that no HTTP request can carry: a name with a space or
 * a quote, a value with a smart quote or an ellipsis (an editor's or a chat app's doing, or
 * a signature shortened for display). The Headers API would throw; this says why.
 */
function checkHeaders(headers: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) {
      throw new CliError(
        "usage",
        `"${safe(name)}" is not a header name HTTP allows (letters, digits and !#$%&'*+-.^_\`|~ only): copy the header lines as the sender sent them, "name: value".`,
      );
    }
    const bad = NOT_IN_HEADER.exec(value);
    if (bad === null) continue;
    const what = `The ${safe(name)} header holds ${safe(bad[0])} (${codePoint(bad[0])}) at character ${bad.index + 1}`;
    if (bad[0] === "…" && /^(svix|webhook)-signature$/i.test(name)) {
      throw new CliError(
        "usage",
        `${what}: this signature was shortened for display. Use the full header: \`listen --json\` prints it, and the inspector's "Save as delivery file" writes a file verify reads.`,
      );
    }
    throw new CliError(
      "usage",
      `${what}, which no HTTP header can carry: an editor or a chat app replaced a character (smart quotes are the usual ones). Copy the header as the sender sent it.`,
    );
  }
}

function headerOf(delivery: PastedDelivery, kind: "id" | "timestamp" | "signature"): string | undefined {
  const names = [`svix-${kind}`, `webhook-${kind}`];
  return delivery.headers.find(([name]) => names.includes(name.toLowerCase()))?.[1];
}

async function whySignatureFails(delivery: PastedDelivery, secrets: string[]): Promise<string[]> {
  const headers = new Headers(delivery.headers);
  const entries = (headerOf(delivery, "signature") ?? "").split(" ").filter((e) => e.startsWith("v1,"));
  const lines = [
    `The header holds ${entries.length} v1 signature(s); none matches any of the ${secrets.length} secret(s).`,
  ];
  const matcher = secretMatcher(secrets);
  for (const [form, body] of sentForms(delivery.body)) {
    const index = await matcher(new TextEncoder().encode(body), headers);
    if (index !== undefined) {
      lines.push(
        `The body was re-serialised${isPrettyPrinted(delivery.body) ? " (pretty-printed)" : ""} after it was sent: it matches once written back as ${form} (secret #${index}). The signature covers the exact bytes sent; verify those, before any JSON parser or formatter.`,
      );
      return lines;
    }
  }
  if (isPrettyPrinted(delivery.body)) {
    lines.push(
      "The body is pretty-printed (indented over several lines), which a sender does not do: it was re-formatted after it was sent. Verify the exact bytes received, before any JSON parser or formatter.",
    );
    return lines;
  }
  lines.push(
    "Either the secret is not this endpoint's (ColiVara's register prints it), or the body differs from the bytes sent (re-serialised JSON, changed whitespace, a JSON parser before the verifier).",
  );
  return lines;
}

async function explain(delivery: PastedDelivery, secrets: string[], code: string): Promise<string[]> {
  if (code === "missing_headers") {
    const missing = (["id", "timestamp", "signature"] as const).filter((k) => !headerOf(delivery, k));
    return [
      `Missing: ${missing.map((k) => `svix-${k}`).join(", ") || "(an empty value)"}. Paste every header the sender sent.`,
    ];
  }
  if (code === "invalid_signature") return whySignatureFails(delivery, secrets);
  if (code === "timestamp_too_old" || code === "timestamp_too_new") {
    const skew = Math.round(Date.now() / 1000 - Number(headerOf(delivery, "timestamp")));
    const index = await secretMatcher(secrets)(new TextEncoder().encode(delivery.body), new Headers(delivery.headers));
    const signed =
      index === undefined ? "the signature does not match either" : `the signature itself is valid (secret #${index})`;
    return [
      `Signed ${Math.abs(skew)} s ${skew >= 0 ? "ago" : "in the future"}; the tolerance is ${DEFAULT_TOLERANCE_SECONDS} s either way, and ${signed}.`,
      "A delivery checked more than 5 minutes after it was sent always fails here; compare the clocks otherwise.",
    ];
  }
  return [];
}

function print(c: Colors, lines: { ok: boolean; title: string; details: string[] }): void {
  // The lines quote the delivery (its id, type, signature): escaped like everything received.
  out(`${lines.ok ? c.green("✓") : c.red("✗")} ${safe(lines.title)}`);
  for (const line of lines.details) out(`  ${safe(line)}`);
}

/**
 * `colivara-webhooks verify`: checks a pasted or saved delivery with the core verifier and
 * says why it fails. Resolves to 0 when it verifies, 1 when not.
 *
 * @example
 * ```ts
 * const code = await verifyCommand("delivery.json", {});
 * ```
 */
interface Attempt {
  webhook?: VerifiedWebhook;
  error?: WebhookVerificationError;
  /** The body that gave this result, and the repair that made it (none: the body as given). */
  body: string;
  repaired?: string | undefined;
}

/**
 * Verifies the body as given, then, when only the signature fails, the body without what a
 * paste adds (a trailing newline, CRLF): the first repair that gets past the signature decides.
 */
async function verifyPasted(verifier: Verifier, delivery: PastedDelivery): Promise<Attempt> {
  const headers = new Headers(delivery.headers);
  const attempt = async (body: string, repaired?: string): Promise<Attempt> => {
    try {
      return { webhook: await verifier.verify(body, headers), body, repaired };
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      return { error, body, repaired };
    }
  };
  const first = await attempt(delivery.body);
  if (first.error?.code !== "invalid_signature") return first;
  for (const [how, repair] of PASTE_REPAIRS) {
    const body = repair(delivery.body);
    if (body === delivery.body) continue;
    const repaired = await attempt(body, how);
    if (repaired.error?.code !== "invalid_signature") return repaired;
  }
  return first;
}

/**
 * `colivara-webhooks verify`: checks a pasted or saved delivery with the core verifier and
 * says why it fails. A body that differs only by what a paste adds (a trailing newline,
 * CRLF) verifies, and the repair is named. Resolves to 0 when it verifies, 1 when not.
 *
 * @example
 * ```ts
 * const code = await verifyCommand("delivery.json", {});
 * ```
 */
export async function verifyCommand(file: string | undefined, flags: VerifyFlags): Promise<number> {
  const secrets = resolveSecrets(await secretSetting(flags));
  const pasted = parseDelivery(await readInput(file));
  checkHeaders(pasted.headers);
  const c = colorsFor(process.stdout);
  const signature = shortenSignature(headerOf(pasted, "signature") ?? "");
  const result = await verifyPasted(createVerifier({ secret: secrets }), pasted);
  const delivery = { ...pasted, body: result.body };
  const note =
    result.repaired === undefined ? [] : [`valid once ${result.repaired}: the signature covers the exact bytes sent.`];
  const { webhook, error } = result;
  if (webhook !== undefined) {
    const index = await secretMatcher(secrets)(new TextEncoder().encode(delivery.body), new Headers(delivery.headers));
    const details = [`id ${webhook.id}, signed ${webhook.timestamp.toISOString()}, secret #${index ?? 0}`, ...note];
    const repaired = result.repaired === undefined ? {} : { repaired: result.repaired };
    if (flags.json)
      out(jsonLine({ ok: true, id: webhook.id, type: webhook.event.type, secretIndex: index, ...repaired }));
    else
      print(c, {
        ok: true,
        title: `valid: ${webhook.event.type}${result.repaired ? " (newline removed)" : ""}`,
        details,
      });
    return EXIT_CODES.ok;
  }
  if (error === undefined) throw new Error("verify: neither a webhook nor an error");
  const details = [error.message, ...note, ...(await explain(delivery, secrets, error.code))];
  if (signature !== "") details.push(`svix-signature: ${signature}`);
  if (flags.json)
    out(jsonLine({ ok: false, error: { code: error.code, message: error.message }, why: details.slice(1) }));
  else print(c, { ok: false, title: `${error.code} (${error.status})`, details });
  return EXIT_CODES.verdict;
}
