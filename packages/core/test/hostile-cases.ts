// The table of hostile (and a few benign boundary) deliveries, shared by
// hostile-inputs.test.ts (node:crypto engine) and web-crypto.test.ts (both engines).
// Every signature here comes from the independent node:crypto signer, never from src/.
import { signatureOf } from "../../../test/support/independent-signer.js";
import {
  type HeaderInput,
  type VerifiedWebhook,
  type Verifier,
  type VerifierOptions,
  type WebhookErrorCode,
  WebhookVerificationError,
} from "../src/index.js";

/** The Standard Webhooks test secret: 24 key bytes. */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/** Another valid 24-byte secret (bytes 0..23). */
export const OTHER_SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
export const NOW_S = 1_700_000_000;
/** The clock sits late in the second: the verifier must floor it, as Svix does. */
export const NOW_MS: number = NOW_S * 1000 + 999;
export const TS: string = String(NOW_S);
export const ID = "msg_2bVxUmNs7jE4c1QAdYWfHkPt";
/** A 1 MiB id: no real Svix id, but a genuine signature can cover one. */
const LONG_ID = `msg_${"L".repeat(1024 * 1024)}`;

/** Every character class that forges a log line or drives a terminal, around a forged line. */
export const LOG_FORGING_ID = "msg_1\n[colivara-webhooks] 204 forged\r\u001b[2J\u0085\u009b31m\u2028\u2029\u202e";

export const SUCCESS_EVENT = {
  type: "upsert.success",
  message: "Document upserted successfully",
  id: 17,
  name: "report.pdf",
  metadata: { team: "finance", tags: ["q3"] },
  url: "https://example.com/report.pdf",
  num_pages: 3,
  collection_name: "default_collection",
} as const;

export const FAIL_EVENT = {
  type: "upsert.fail",
  message: "Document upsert failed",
  name: "scan.pdf",
  metadata: {},
  collection_name: "default_collection",
  error: "The document could not be converted to images.",
} as const;

export const SUCCESS_BODY: string = JSON.stringify(SUCCESS_EVENT);
export const FAIL_BODY: string = JSON.stringify(FAIL_EVENT);
/** The same event with different spacing, as another serialiser would write it. */
export const SPACED_BODY: string = JSON.stringify(SUCCESS_EVENT, null, 2);

const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");

export function sig(
  body: string | Uint8Array = SUCCESS_BODY,
  id: string = ID,
  ts: string = TS,
  secret: string = SECRET,
): string {
  return signatureOf(secret, id, ts, body);
}

export interface Delivery {
  body: unknown;
  headers: unknown;
}

export function svixHeaders(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { "svix-id": ID, "svix-timestamp": TS, "svix-signature": sig(), ...overrides };
}

/** A correctly signed delivery of `body` (svix-* headers); `id`/`ts` are signed as given. */
export function signed(body: string | Uint8Array, options: { id?: string; ts?: string } = {}): Delivery {
  const id = options.id ?? ID;
  const ts = options.ts ?? TS;
  return { body, headers: { "svix-id": id, "svix-timestamp": ts, "svix-signature": sig(body, id, ts) } };
}

/** A validly signed delivery whose body is `event` serialised. */
function signedEvent(event: unknown): Delivery {
  return signed(JSON.stringify(event));
}

/** A delivery with the valid headers and the signature header replaced. */
function withSignature(signature: unknown): Delivery {
  return { body: SUCCESS_BODY, headers: svixHeaders({ "svix-signature": signature }) };
}

const VALID = sig();
const VALID_B64 = VALID.slice(3);
/** Well-formed v1 entries that match nothing. */
const wrongEntry = (n: number): string => `v1,${Buffer.alloc(32, n).toString("base64")}`;

/** A delivery whose MAC contains "+" or "/", to try the url-safe alphabet on it. */
function urlSafeCandidate(): Delivery & { mac: string } {
  for (let i = 0; ; i++) {
    const id = `msg_urlsafe_${i}`;
    const mac = sig(SUCCESS_BODY, id).slice(3);
    if (/[+/]/.test(mac)) return { ...signed(SUCCESS_BODY, { id }), mac };
  }
}
const URL_SAFE = urlSafeCandidate();

/**
 * The valid MAC with its last base64 digit changed in the unused low bits: a lenient
 * decoder (Node's Buffer) reads the same 32 bytes, a canonical one rejects it.
 */
export const NON_CANONICAL_B64: string = (() => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const last = alphabet.indexOf(VALID_B64.charAt(42));
  return `${VALID_B64.slice(0, 42)}${alphabet.charAt(last ^ 1)}=`;
})();

export type Expectation =
  | { code: WebhookErrorCode }
  | { ok: true; check: (webhook: VerifiedWebhook) => boolean; description: string };

export interface HostileCase {
  name: string;
  delivery: () => Delivery;
  expect: Expectation;
  options?: VerifierOptions;
}

const isSuccess: Expectation = {
  ok: true,
  description: "the upsert.success event",
  check: (webhook) =>
    webhook.id === ID && webhook.timestamp.getTime() === NOW_S * 1000 && JSON.stringify(webhook.event) === SUCCESS_BODY,
};

const okWith = (description: string, check: (webhook: VerifiedWebhook) => boolean): Expectation => ({
  ok: true,
  description,
  check,
});

const code = (c: WebhookErrorCode): Expectation => ({ code: c });

function headersInstance(build: (h: Headers) => void): Headers {
  const headers = new Headers();
  build(headers);
  return headers;
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  // ---- baseline ----
  { name: "untouched delivery (svix-*)", delivery: () => signed(SUCCESS_BODY), expect: isSuccess },

  // ---- tampered body, id, timestamp ----
  {
    name: "body: one byte flipped",
    delivery: () => ({ body: SUCCESS_BODY.replace('"num_pages":3', '"num_pages":4'), headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: trailing newline appended",
    delivery: () => ({ body: `${SUCCESS_BODY}\n`, headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: last byte dropped",
    delivery: () => ({ body: SUCCESS_BODY.slice(0, -1), headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: empty",
    delivery: () => ({ body: "", headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: re-serialised with other spacing (JSON.stringify(JSON.parse(body), null, 2))",
    delivery: () => ({ body: JSON.stringify(JSON.parse(SUCCESS_BODY), null, 2), headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: spaced original re-serialised compactly",
    delivery: () => ({
      body: JSON.stringify(JSON.parse(SPACED_BODY)),
      headers: svixHeaders({ "svix-signature": sig(SPACED_BODY) }),
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: BOM prepended after signing",
    delivery: () => ({ body: `\uFEFF${SUCCESS_BODY}`, headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: BOM bytes prepended after signing (bytes)",
    delivery: () => ({
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(SUCCESS_BODY)]),
      headers: svixHeaders(),
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: re-encoded as UTF-16LE bytes",
    delivery: () => ({ body: Buffer.from(SUCCESS_BODY, "utf16le"), headers: svixHeaders() }),
    expect: code("invalid_signature"),
  },
  {
    name: "body: unicode re-normalised (NFC signed, NFD delivered)",
    delivery: () => {
      const nfc = JSON.stringify({ ...SUCCESS_EVENT, name: "r\u00e9sum\u00e9.pdf" });
      return { body: nfc.normalize("NFD"), headers: svixHeaders({ "svix-signature": sig(nfc) }) };
    },
    expect: code("invalid_signature"),
  },
  {
    name: "body: latin1 bytes of a text signed as UTF-8",
    delivery: () => {
      const text = JSON.stringify({ ...SUCCESS_EVENT, name: "caf\u00e9.pdf" });
      return { body: Buffer.from(text, "latin1"), headers: svixHeaders({ "svix-signature": sig(text) }) };
    },
    expect: code("invalid_signature"),
  },
  {
    name: "id: one character changed",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": `${ID.slice(0, -1)}u` }) }),
    expect: code("invalid_signature"),
  },
  {
    name: "id: trailing space",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": `${ID} ` }) }),
    expect: code("invalid_signature"),
  },
  {
    name: "id: shifted into the timestamp (msg.170… / …)",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": `${ID}.${TS}` }) }),
    expect: code("invalid_signature"),
  },
  // ---- text that forges a log line or drives a terminal: verified as sent, escaped where written ----
  {
    name: "id: line breaks, a terminal sequence, C1 controls and U+2028, signed as sent",
    delivery: () => signed(SUCCESS_BODY, { id: LOG_FORGING_ID }),
    expect: okWith("the id as signed, unescaped", (w) => w.id === LOG_FORGING_ID),
  },
  {
    name: "id: a forged log line, not signed",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": LOG_FORGING_ID }) }),
    expect: code("invalid_signature"),
  },
  {
    name: "payload: an unknown type and metadata keys that forge log lines",
    delivery: () => signedEvent({ type: LOG_FORGING_ID, metadata: { [LOG_FORGING_ID]: LOG_FORGING_ID } }),
    expect: okWith(
      "the unknown case, type as sent",
      (w) => w.event.type === "unknown" && w.event.originalType === LOG_FORGING_ID,
    ),
  },
  {
    name: "payload: metadata keys that forge log lines in a known event",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, metadata: { [LOG_FORGING_ID]: 1, "k\u2028": [LOG_FORGING_ID] } }),
    expect: okWith("the keys as sent", (w) => w.event.type === "upsert.success" && LOG_FORGING_ID in w.event.metadata),
  },
  {
    // Past Node's 16 KiB header limit, but not past a Fetch runtime's: the stores key it by digest.
    name: "id: 1 MiB long, genuinely signed (verified; the id is kept as sent)",
    delivery: () => signed(SUCCESS_BODY, { id: LONG_ID }),
    expect: okWith("the 1 MiB id, unchanged", (webhook) => webhook.id === LONG_ID),
  },
  {
    name: "id: 1 MiB long, one character appended after signing",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: svixHeaders({ "svix-id": `${LONG_ID}x`, "svix-signature": sig(SUCCESS_BODY, LONG_ID) }),
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "timestamp: one second later (well-formed, in window)",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": String(NOW_S + 1) }) }),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: made with another secret",
    delivery: () => withSignature(sig(SUCCESS_BODY, ID, TS, OTHER_SECRET)),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: of another body",
    delivery: () => withSignature(sig(FAIL_BODY)),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: of another id",
    delivery: () => withSignature(sig(SUCCESS_BODY, "msg_other")),
    expect: code("invalid_signature"),
  },

  // ---- missing headers ----
  {
    name: "headers: empty record",
    delivery: () => ({ body: SUCCESS_BODY, headers: {} }),
    expect: code("missing_headers"),
  },
  { name: "headers: null", delivery: () => ({ body: SUCCESS_BODY, headers: null }), expect: code("missing_headers") },
  {
    name: "headers: undefined",
    delivery: () => ({ body: SUCCESS_BODY, headers: undefined }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: a string",
    delivery: () => ({ body: SUCCESS_BODY, headers: "svix-id: x" }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: an array of pairs",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: [
        ["svix-id", ID],
        ["svix-timestamp", TS],
        ["svix-signature", VALID],
      ],
    }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: id absent",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": undefined }) }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: timestamp absent",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": undefined }) }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: signature absent",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-signature": undefined }) }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: id empty string",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-id": "" }) }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: timestamp empty string",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": "" }) }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: signature empty string",
    delivery: () => withSignature(""),
    expect: code("missing_headers"),
  },
  {
    name: "headers: signature null",
    delivery: () => withSignature(null),
    expect: code("missing_headers"),
  },
  {
    name: "headers: signature an empty array",
    delivery: () => withSignature([]),
    expect: code("missing_headers"),
  },
  {
    name: "headers: svix-id only, complete webhook-* set (svix-* wins as a set)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: { "svix-id": ID, "webhook-id": ID, "webhook-timestamp": TS, "webhook-signature": VALID },
    }),
    expect: code("missing_headers"),
  },

  // ---- malformed timestamps: each signed validly with that exact text ----
  ...(
    [
      ["leading plus", `+${TS}`],
      ["negative", `-${TS}`],
      ["fraction .0", `${TS}.0`],
      ["fraction .5", `${TS}.5`],
      ["exponent 1.7e9", "1.7e9"],
      ["exponent suffix e0", `${TS}e0`],
      ["leading space", ` ${TS}`],
      ["trailing space", `${TS} `],
      ["trailing newline", `${TS}\n`],
      ["trailing tab", `${TS}\t`],
      ["trailing NUL", `${TS}\u0000`],
      ["leading zero", `0${TS}`],
      ["hexadecimal", `0x${NOW_S.toString(16)}`],
      ["digit separators", "1_700_000_000"],
      ["arabic-indic digits", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"],
      ["fullwidth digits", "\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10"],
      ["word", "hello"],
      ["Infinity", "Infinity"],
      ["NaN", "NaN"],
      ["ISO date", "2023-11-14T22:13:20Z"],
      ["two comma-joined values", `${TS}, ${TS}`],
    ] as const
  ).map(
    ([label, ts]): HostileCase => ({
      name: `timestamp: ${label}`,
      delivery: () => signed(SUCCESS_BODY, { ts }),
      expect: code("invalid_timestamp"),
    }),
  ),
  {
    name: "timestamp: malformed and the signature wrong too (format decided first)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: svixHeaders({ "svix-timestamp": "12abc", "svix-signature": "junk" }),
    }),
    expect: code("invalid_timestamp"),
  },
  {
    name: "timestamp: array of two values (Node duplicate)",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": [TS, TS] }) }),
    expect: code("invalid_timestamp"),
  },
  {
    name: "timestamp: 400 nines (huge, well-formed)",
    delivery: () => signed(SUCCESS_BODY, { ts: "9".repeat(400) }),
    expect: code("timestamp_too_new"),
  },
  {
    name: "timestamp: 21 digits",
    delivery: () => signed(SUCCESS_BODY, { ts: `1${"0".repeat(20)}` }),
    expect: code("timestamp_too_new"),
  },
  {
    name: "timestamp: milliseconds instead of seconds",
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S * 1000) }),
    expect: code("timestamp_too_new"),
  },
  {
    name: "timestamp: zero",
    delivery: () => signed(SUCCESS_BODY, { ts: "0" }),
    expect: code("timestamp_too_old"),
  },
  {
    name: "timestamp: 301 s old",
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S - 301) }),
    expect: code("timestamp_too_old"),
  },
  {
    name: "timestamp: 301 s in the future",
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S + 301) }),
    expect: code("timestamp_too_new"),
  },
  {
    name: "timestamp: exactly 300 s old (boundary accepted)",
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S - 300) }),
    expect: okWith("accepted at the boundary", (w) => w.timestamp.getTime() === (NOW_S - 300) * 1000),
  },
  {
    name: "timestamp: exactly 300 s in the future (boundary accepted)",
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S + 300) }),
    expect: okWith("accepted at the boundary", (w) => w.timestamp.getTime() === (NOW_S + 300) * 1000),
  },
  {
    name: "timestamp: stale and the signature wrong (staleness decided before the HMAC)",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": String(NOW_S - 3600) }) }),
    expect: code("timestamp_too_old"),
  },
  {
    name: "timestamp: tolerance 0 and one second old",
    options: { toleranceSeconds: 0 },
    delivery: () => signed(SUCCESS_BODY, { ts: String(NOW_S - 1) }),
    expect: code("timestamp_too_old"),
  },
  {
    name: "timestamp: tolerance 0 and exactly now",
    options: { toleranceSeconds: 0 },
    delivery: () => signed(SUCCESS_BODY),
    expect: isSuccess,
  },
  {
    name: "timestamp: given as a number in a plain record",
    delivery: () => ({ body: SUCCESS_BODY, headers: svixHeaders({ "svix-timestamp": NOW_S }) }),
    expect: isSuccess,
  },

  // ---- malformed signature shapes (all carry the valid MAC where one fits) ----
  {
    name: "signature: version v2",
    delivery: () => withSignature(`v2,${VALID_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: version v0",
    delivery: () => withSignature(`v0,${VALID_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: upper-case V1",
    delivery: () => withSignature(`V1,${VALID_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: v1a version",
    delivery: () => withSignature(`v1a,${VALID_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: v1a entry with a 64-byte (ed25519-sized) value",
    delivery: () => withSignature(`v1a,${Buffer.alloc(64, 3).toString("base64")}`),
    expect: code("invalid_signature"),
  },
  { name: "signature: no version", delivery: () => withSignature(VALID_B64), expect: code("invalid_signature") },
  {
    name: "signature: v1 with an extra field",
    delivery: () => withSignature(`${VALID},extra`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: v1 twice (v1,v1,…)",
    delivery: () => withSignature(`v1,${VALID}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: space after the comma",
    delivery: () => withSignature(`v1, ${VALID_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: unpadded base64",
    delivery: () => withSignature(VALID.replace(/=+$/, "")),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: extra padding",
    delivery: () => withSignature(`${VALID}=`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: padding replaced by a digit",
    delivery: () => withSignature(`${VALID.slice(0, -1)}A`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: url-safe alphabet (- and _)",
    delivery: () => ({
      body: URL_SAFE.body,
      headers: {
        ...(URL_SAFE.headers as Record<string, string>),
        "svix-signature": `v1,${URL_SAFE.mac.replaceAll("+", "-").replaceAll("/", "_")}`,
      },
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: url-safe candidate with the standard alphabet (control)",
    delivery: () => URL_SAFE,
    expect: okWith("the url-safe candidate verifies as sent", (w) => w.id.startsWith("msg_urlsafe_")),
  },
  {
    name: "signature: non-canonical last digit (decodes leniently to the same MAC)",
    delivery: () => withSignature(`v1,${NON_CANONICAL_B64}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: a character outside base64",
    delivery: () => withSignature(`v1,${VALID_B64.slice(0, 10)}*${VALID_B64.slice(11)}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: truncated by one digit",
    delivery: () => withSignature(`v1,${VALID_B64.slice(0, 42)}=`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: partial (first 8 characters)",
    delivery: () => withSignature(VALID.slice(0, 8)),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: too short (Standard Webhooks example junk)",
    delivery: () => withSignature("v1,dawfeoifkpqwoekfpqoekf"),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: 31 bytes",
    delivery: () => withSignature(`v1,${Buffer.alloc(31, 7).toString("base64")}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: the valid MAC plus one byte (33 bytes)",
    delivery: () =>
      withSignature(`v1,${Buffer.concat([Buffer.from(VALID_B64, "base64"), Buffer.of(0)]).toString("base64")}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: the valid MAC twice (64 bytes)",
    delivery: () => {
      const mac = Buffer.from(VALID_B64, "base64");
      return withSignature(`v1,${Buffer.concat([mac, mac]).toString("base64")}`);
    },
    expect: code("invalid_signature"),
  },
  { name: "signature: v1, alone", delivery: () => withSignature("v1,"), expect: code("invalid_signature") },
  { name: "signature: v1 alone", delivery: () => withSignature("v1"), expect: code("invalid_signature") },
  { name: "signature: a lone comma", delivery: () => withSignature(","), expect: code("invalid_signature") },
  { name: "signature: only spaces", delivery: () => withSignature("   "), expect: code("invalid_signature") },
  {
    name: "signature: entries joined by a comma only (no space)",
    delivery: () => withSignature(`${wrongEntry(1)},${VALID}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: entries separated by a tab",
    delivery: () => withSignature(`${wrongEntry(1)}\t${VALID}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: 8 KiB of garbage",
    delivery: () => withSignature("v1,".padEnd(8192, "A")),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: 8 KiB header with the valid entry last (over the length cap)",
    delivery: () => withSignature(`${"x".repeat(8192)} ${VALID}`),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: 16 wrong well-formed entries before the valid one (17 entries)",
    delivery: () => withSignature([...Array.from({ length: 16 }, (_, i) => wrongEntry(i)), VALID].join(" ")),
    expect: code("invalid_signature"),
  },
  {
    name: "signature: 15 wrong well-formed entries before the valid one (16 entries, accepted)",
    delivery: () => withSignature([...Array.from({ length: 15 }, (_, i) => wrongEntry(i)), VALID].join(" ")),
    expect: isSuccess,
  },
  {
    name: "signature: Standard Webhooks multi-signature list",
    delivery: () => withSignature([wrongEntry(1), `v2,${wrongEntry(2).slice(3)}`, VALID, wrongEntry(3)].join(" ")),
    expect: isSuccess,
  },
  {
    name: "signature: leading, trailing and doubled spaces around the valid entry",
    delivery: () => withSignature(`  ${wrongEntry(1)}   ${VALID}  `),
    expect: isSuccess,
  },
  {
    name: "signature: Node's comma-joined duplicates (bad, valid)",
    delivery: () => withSignature(`${wrongEntry(9)}, ${VALID}`),
    expect: isSuccess,
  },
  {
    name: "signature: Node's comma-joined duplicates (garbage, valid)",
    delivery: () => withSignature(`v1,AAA, ${VALID}`),
    expect: isSuccess,
  },
  {
    name: "signature: header array [bad, valid]",
    delivery: () => withSignature([wrongEntry(4), VALID]),
    expect: isSuccess,
  },
  {
    name: "signature: header array [garbage, valid]",
    delivery: () => withSignature(["garbage", VALID]),
    expect: isSuccess,
  },
  {
    name: "signature: header array [bad, bad]",
    delivery: () => withSignature([wrongEntry(4), wrongEntry(5)]),
    expect: code("invalid_signature"),
  },

  // ---- header shapes and precedence ----
  {
    name: "headers: upper- and mixed-case names",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: { "SVIX-ID": ID, "Svix-Timestamp": TS, "sViX-sIgNaTuRe": VALID },
    }),
    expect: isSuccess,
  },
  {
    name: "headers: webhook-* names only",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: { "webhook-id": ID, "webhook-timestamp": TS, "webhook-signature": VALID },
    }),
    expect: isSuccess,
  },
  {
    name: "headers: Webhook-* names in title case",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: { "Webhook-Id": ID, "Webhook-Timestamp": TS, "Webhook-Signature": VALID },
    }),
    expect: isSuccess,
  },
  {
    name: "headers: a Fetch Headers instance",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: new Headers({ "Svix-Id": ID, "Svix-Timestamp": TS, "Svix-Signature": VALID }),
    }),
    expect: isSuccess,
  },
  {
    name: "headers: Headers with the signature appended twice (bad, valid)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: headersInstance((h) => {
        h.set("svix-id", ID);
        h.set("svix-timestamp", TS);
        h.append("svix-signature", wrongEntry(6));
        h.append("svix-signature", VALID);
      }),
    }),
    expect: isSuccess,
  },
  {
    name: "headers: empty Headers instance",
    delivery: () => ({ body: SUCCESS_BODY, headers: new Headers() }),
    expect: code("missing_headers"),
  },
  {
    name: "headers: svix-* invalid, webhook-* valid (svix-* wins)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: {
        "svix-id": ID,
        "svix-timestamp": TS,
        "svix-signature": wrongEntry(7),
        "webhook-id": ID,
        "webhook-timestamp": TS,
        "webhook-signature": VALID,
      },
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "headers: svix-* valid, webhook-* invalid (svix-* wins)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: {
        "webhook-id": "msg_other",
        "webhook-timestamp": "nonsense",
        "webhook-signature": wrongEntry(7),
        "svix-id": ID,
        "svix-timestamp": TS,
        "svix-signature": VALID,
      },
    }),
    expect: isSuccess,
  },
  {
    name: "headers: a getter that throws (fails closed)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: {
        "svix-id": ID,
        get "svix-timestamp"(): string {
          throw new Error("hostile getter");
        },
        "svix-signature": VALID,
      },
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "headers: a get() method that throws (fails closed)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: {
        get(): string {
          throw new TypeError("hostile get");
        },
      },
    }),
    expect: code("invalid_signature"),
  },
  {
    name: "headers: a Proxy that throws on every trap (fails closed)",
    delivery: () => ({
      body: SUCCESS_BODY,
      headers: new Proxy(
        {},
        {
          get() {
            throw new Error("trap");
          },
          has() {
            throw new Error("trap");
          },
          ownKeys() {
            throw new Error("trap");
          },
          getOwnPropertyDescriptor() {
            throw new Error("trap");
          },
        },
      ),
    }),
    expect: code("invalid_signature"),
  },

  // ---- bodies: encodings, shapes, raw byte types ----
  {
    name: "body: validly signed with a BOM (string)",
    delivery: () => signed(`\uFEFF${SUCCESS_BODY}`),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed with a BOM (bytes)",
    delivery: () => signed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(SUCCESS_BODY)])),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed invalid UTF-8 (0xff)",
    delivery: () => signed(Buffer.concat([utf8('{"type":"upsert.fail","x":"'), Buffer.of(0xff), utf8('"}')])),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed overlong UTF-8 (C0 AF)",
    delivery: () => signed(Buffer.concat([utf8('{"type":"x","x":"'), Buffer.of(0xc0, 0xaf), utf8('"}')])),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed UTF-8 surrogate (ED A0 80)",
    delivery: () => signed(Buffer.concat([utf8('{"type":"x","x":"'), Buffer.of(0xed, 0xa0, 0x80), utf8('"}')])),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed truncated UTF-8 sequence",
    delivery: () => signed(Buffer.concat([utf8('{"type":"x","x":"'), Buffer.of(0xe2, 0x82), utf8('"}')])),
    expect: code("invalid_payload"),
  },
  {
    name: "body: validly signed multi-byte UTF-8 (accepted)",
    delivery: () => signed(utf8(JSON.stringify({ ...SUCCESS_EVENT, name: "r\u00e9sum\u00e9 \u{1f4c4}.pdf" }))),
    expect: okWith("the name with non-ASCII characters", (w) =>
      w.event.type === "upsert.success" ? w.event.name === "r\u00e9sum\u00e9 \u{1f4c4}.pdf" : false,
    ),
  },
  { name: "body: validly signed, not JSON", delivery: () => signed("hello"), expect: code("invalid_payload") },
  { name: "body: validly signed, empty", delivery: () => signed(""), expect: code("invalid_payload") },
  { name: "body: validly signed JSON array", delivery: () => signed("[]"), expect: code("invalid_payload") },
  { name: "body: validly signed JSON number", delivery: () => signed("42"), expect: code("invalid_payload") },
  { name: "body: validly signed JSON null", delivery: () => signed("null"), expect: code("invalid_payload") },
  {
    name: "body: validly signed JSON string",
    delivery: () => signed('"upsert.success"'),
    expect: code("invalid_payload"),
  },
  { name: "body: validly signed JSON true", delivery: () => signed("true"), expect: code("invalid_payload") },
  {
    name: "body: validly signed, truncated JSON",
    delivery: () => signed(SUCCESS_BODY.slice(0, -1)),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: no type",
    delivery: () => signed('{"test": 2432232314}'),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: type is a number",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, type: 1 }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: type is empty",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, type: "" }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with id as a string",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, id: "17" }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with num_pages 1.5",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, num_pages: 1.5 }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with id beyond safe integers",
    delivery: () => signed(SUCCESS_BODY.replace('"id":17', '"id":1e20')),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with metadata an array",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, metadata: ["a"] }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with metadata null",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, metadata: null }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success without url",
    delivery: () => {
      const { url: _url, ...rest } = SUCCESS_EVENT;
      return signedEvent(rest);
    },
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.success with name null",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, name: null }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.fail without error",
    delivery: () => {
      const { error: _error, ...rest } = FAIL_EVENT;
      return signedEvent(rest);
    },
    expect: code("invalid_payload"),
  },
  {
    name: "payload: upsert.fail with error an object",
    delivery: () => signedEvent({ ...FAIL_EVENT, error: { reason: "x" } }),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: __proto__ key at the top",
    delivery: () => signed(`{"__proto__":{"polluted":"yes"},${SUCCESS_BODY.slice(1)}`),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: __proto__ key inside metadata",
    delivery: () => signed(SUCCESS_BODY.replace('"metadata":{', '"metadata":{"__proto__":{"polluted":"yes"},')),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: __proto__ written with unicode escapes",
    delivery: () => signed(`{"\\u005f_proto__":{"polluted":"yes"},${SUCCESS_BODY.slice(1)}`),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: constructor.prototype",
    delivery: () => signed(`{"constructor":{"prototype":{"polluted":"yes"}},${SUCCESS_BODY.slice(1)}`),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: constructor.prototype deep inside an unknown event",
    delivery: () => signed('{"type":"x.y","a":[{"b":{"constructor":{"prototype":{"polluted":"yes"}}}}]}'),
    expect: code("invalid_payload"),
  },
  {
    name: "payload: a harmless constructor string (accepted)",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, metadata: { constructor: "Acme" } }),
    expect: okWith("metadata.constructor kept as data", (w) =>
      w.event.type === "upsert.success" ? JSON.stringify(w.event.metadata) === '{"constructor":"Acme"}' : false,
    ),
  },
  {
    name: "payload: deeply nested and mentioning constructor (no stack overflow)",
    delivery: () => signed(`{"type":"deep.event","constructor":1,"a":${"[".repeat(20000)}${"]".repeat(20000)}}`),
    expect: okWith("an unknown event", (w) => w.event.type === "unknown" && w.event.originalType === "deep.event"),
  },
  {
    name: "payload: unknown type delivered as the unknown case",
    delivery: () => signedEvent({ type: "document.deleted", id: 9, extra: { a: 1 } }),
    expect: okWith("{ type: unknown, originalType, payload }", (w) => {
      const e = w.event;
      return (
        e.type === "unknown" &&
        e.originalType === "document.deleted" &&
        JSON.stringify(e.payload) === '{"type":"document.deleted","id":9,"extra":{"a":1}}'
      );
    }),
  },
  {
    name: "payload: type named __proto__ is just unknown",
    delivery: () => signedEvent({ type: "__proto__" }),
    expect: okWith("unknown __proto__", (w) => w.event.type === "unknown" && w.event.originalType === "__proto__"),
  },
  {
    name: "payload: type named toString is just unknown",
    delivery: () => signedEvent({ type: "toString" }),
    expect: okWith("unknown toString", (w) => w.event.type === "unknown" && w.event.originalType === "toString"),
  },
  {
    name: "payload: type literally 'unknown' keeps its original type",
    delivery: () => signedEvent({ type: "unknown", x: 1 }),
    expect: okWith("unknown unknown", (w) => w.event.type === "unknown" && w.event.originalType === "unknown"),
  },
  {
    name: "payload: upsert.fail accepted",
    delivery: () => signed(FAIL_BODY),
    expect: okWith("the upsert.fail event", (w) => JSON.stringify(w.event) === FAIL_BODY),
  },
  {
    name: "payload: extra fields on a known type are kept",
    delivery: () => signedEvent({ ...SUCCESS_EVENT, future_field: true }),
    expect: okWith("upsert.success with the extra field", (w) => "future_field" in w.event),
  },

  // ---- the body's runtime type ----
  {
    name: "body: a parsed object",
    delivery: () => ({ body: JSON.parse(SUCCESS_BODY), headers: svixHeaders() }),
    expect: code("body_already_parsed"),
  },
  {
    name: "body: a number",
    delivery: () => ({ body: 42, headers: svixHeaders() }),
    expect: code("body_already_parsed"),
  },
  { name: "body: null", delivery: () => ({ body: null, headers: svixHeaders() }), expect: code("body_already_parsed") },
  {
    name: "body: undefined",
    delivery: () => ({ body: undefined, headers: svixHeaders() }),
    expect: code("body_already_parsed"),
  },
  {
    name: "body: a Uint16Array",
    delivery: () => ({ body: new Uint16Array(4), headers: svixHeaders() }),
    expect: code("body_already_parsed"),
  },
  {
    name: "body: parsed object and no headers (body checked first)",
    delivery: () => ({ body: {}, headers: {} }),
    expect: code("body_already_parsed"),
  },
  {
    name: "body: an ArrayBuffer",
    delivery: () => ({ body: new TextEncoder().encode(SUCCESS_BODY).buffer, headers: svixHeaders() }),
    expect: isSuccess,
  },
  {
    name: "body: a Buffer",
    delivery: () => ({ body: utf8(SUCCESS_BODY), headers: svixHeaders() }),
    expect: isSuccess,
  },
  {
    name: "body: a Uint8Array view into a larger buffer",
    delivery: () => {
      const backing = Buffer.concat([utf8("JUNK-"), utf8(SUCCESS_BODY), utf8("-JUNK")]);
      return {
        body: new Uint8Array(backing.buffer, backing.byteOffset + 5, backing.length - 10),
        headers: svixHeaders(),
      };
    },
    expect: isSuccess,
  },
];

export type Outcome =
  | { ok: true; webhook: VerifiedWebhook }
  | { ok: false; code: WebhookErrorCode; status: number; message: string };

/** Runs one delivery; anything thrown that is not a WebhookVerificationError is rethrown. */
export async function attempt(verifier: Verifier, delivery: Delivery): Promise<Outcome> {
  try {
    const webhook = await verifier.verify(delivery.body as string, delivery.headers as HeaderInput);
    return { ok: true, webhook };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return { ok: false, code: error.code, status: error.status, message: error.message };
  }
}

/** A comparable summary of an outcome, for engine parity checks. */
export function summary(outcome: Outcome): string {
  if (!outcome.ok) return JSON.stringify({ code: outcome.code, status: outcome.status, message: outcome.message });
  const { id, timestamp, event } = outcome.webhook;
  try {
    return JSON.stringify({ id, timestamp: timestamp.toISOString(), event });
  } catch {
    // Too deep for JSON.stringify (the nesting case): compare the outline instead.
    const outline = event.type === "unknown" ? [event.originalType, Object.keys(event.payload)] : event.type;
    return JSON.stringify({ id, timestamp: timestamp.toISOString(), outline });
  }
}
