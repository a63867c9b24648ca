// Every spelling of a webhook path that some router might send to the webhook handler, and a
// raw-socket sender for them: HTTP clients normalise dot segments, fragments and absolute-form
// targets away, so the request line is written by hand here. Shared by the adapters' routing
// tests: a forged delivery sent with each variant must be refused by the verifier (401) or
// never reach the user's handler.
import { connect } from "node:net";
import { newSecret, signIndependently } from "./independent-signer.js";

export interface PathVariant {
  /** What the variant tries (shown when it gets through). */
  readonly name: string;
  /** The request target as written on the request line; `{origin}` becomes `http://127.0.0.1:PORT`. */
  readonly target: string;
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function capitalised(path: string): string {
  return path.replace(/\/([a-z])/g, (_match, letter: string) => `/${letter.toUpperCase()}`);
}

/** `/a/bc` → `/a/%62c`: the first letter of the last segment percent-encoded (lower- or upper-case hex). */
function encodedLetter(path: string, upperHex: boolean): string {
  const cut = path.lastIndexOf("/") + 1;
  const hex = path.charCodeAt(cut).toString(16);
  return `${path.slice(0, cut)}%${upperHex ? hex.toUpperCase() : hex}${path.slice(cut + 1)}`;
}

/** `/a/b` → `/a%2Fb`: the last separator percent-encoded. */
function encodedSlash(path: string, hex: "2F" | "2f"): string {
  const cut = path.lastIndexOf("/");
  return `${path.slice(0, cut)}%${hex}${path.slice(cut + 1)}`;
}

/**
 * The variants of `path` (a canonical path such as `/webhooks/colivara` or, under a mount,
 * `/api/webhooks/colivara`): case, trailing and repeated slashes, percent-encoding, dot
 * segments, backslashes, a semicolon, query strings, fragments and absolute-form targets.
 */
export function pathVariants(path: string): PathVariant[] {
  const segments = segmentsOf(path);
  const first = segments[0] ?? "";
  const rest = path.slice(first.length + 1);
  const upper = path.toUpperCase();
  return [
    { name: "upper case", target: upper },
    { name: "capitalised", target: capitalised(path) },
    {
      name: "last segment upper case",
      target: `${path.slice(0, path.lastIndexOf("/"))}${path.slice(path.lastIndexOf("/")).toUpperCase()}`,
    },
    { name: "trailing slash", target: `${path}/` },
    { name: "upper case, trailing slash", target: `${upper}/` },
    { name: "two trailing slashes", target: `${path}//` },
    { name: "repeated slashes", target: `/${segments.map((segment) => `/${segment}`).join("/")}` },
    { name: "leading double slash", target: `/${path}` },
    { name: "percent-encoded letter", target: encodedLetter(path, false) },
    { name: "percent-encoded letter, upper-case hex", target: encodedLetter(path, true) },
    { name: "percent-encoded letter, upper case", target: encodedLetter(upper, true) },
    { name: "Kelvin sign for k (folds to k)", target: path.replace("k", "%E2%84%AA") },
    { name: "long s for s (upper-cases to S)", target: path.replace("s", "%C5%BF") },
    { name: "percent-encoded slash %2F", target: encodedSlash(path, "2F") },
    { name: "percent-encoded slash %2f", target: encodedSlash(path, "2f") },
    { name: "dot-dot segment", target: `/x/..${path}` },
    { name: "dot segment", target: `/${first}/.${rest}` },
    { name: "trailing dot segment", target: `${path}/.` },
    { name: "encoded dot-dot segment", target: `/x/%2e%2e${path}` },
    { name: "backslash separator", target: `/${segments.join("\\")}` },
    { name: "semicolon parameter", target: `${path};x=1` },
    { name: "query string", target: `${path}?a=1` },
    { name: "upper case, query string", target: `${upper}?a=1` },
    { name: "empty query string", target: `${path}?` },
    { name: "fragment", target: `${path}#x` },
    { name: "upper case, fragment", target: `${upper}#x` },
    { name: "absolute form", target: `{origin}${path}` },
    { name: "absolute form, upper case", target: `{origin}${upper}` },
    { name: "absolute form, trailing slash", target: `{origin}${path}/` },
  ];
}

export interface RawAnswer {
  status: number;
  body: string;
}

/** A chunked body's chunks, joined. */
function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const end = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, end), 16);
    if (end < 0 || !(size > 0)) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 4 + size);
  }
}

/**
 * Sends one request with `target` written verbatim on the request line and reads the whole
 * answer (the connection closes after it).
 */
export function sendRaw(
  port: number,
  request: { method?: string; target: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const body = Buffer.from(request.body ?? "");
  const target = request.target.replace("{origin}", `http://127.0.0.1:${port}`);
  const headers = {
    ...request.headers,
    host: `127.0.0.1:${port}`,
    "content-length": String(body.length),
    connection: "close",
  };
  const head = [
    `${request.method ?? "POST"} ${target} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const header = text.slice(0, split);
      const raw = text.slice(split + 4);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(header)?.[1] ?? 0);
      resolve({ status, body: /\r\ntransfer-encoding: chunked/i.test(header) ? dechunk(raw) : raw });
    });
    socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]));
  });
}

/** A validly formed delivery signed with a secret the receiver does not have. */
export function forgedDelivery(): { body: string; headers: Record<string, string> } {
  const payload = {
    type: "upsert.success",
    message: "m",
    id: 1,
    name: "a.pdf",
    metadata: {},
    url: "u",
    num_pages: 1,
    collection_name: "c",
  };
  const forged = signIndependently(newSecret(), JSON.stringify(payload));
  return { body: forged.body as string, headers: forged.headers };
}

/** True for the verifier's refusal of a forged delivery: 401 with the failure table's body. */
export function isVerifierRefusal(answer: RawAnswer): boolean {
  if (answer.status !== 401) return false;
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code === "invalid_signature";
  } catch {
    return false;
  }
}

export interface Bypass {
  variant: string;
  target: string;
  status: number;
}

/**
 * Sends a forged delivery with every variant of `path` and returns those that reached the
 * user's handler without the verifier's refusal (`handlerCalls` counts the handler's runs):
 * a test expects the list to be empty.
 */
export async function forgedVariantsThatGetThrough(
  port: number,
  path: string,
  handlerCalls: () => number,
  variants: readonly PathVariant[] = pathVariants(path),
): Promise<Bypass[]> {
  const bypasses: Bypass[] = [];
  for (const variant of [{ name: "canonical", target: path }, ...variants]) {
    const before = handlerCalls();
    const answer = await sendRaw(port, { target: variant.target, ...forgedDelivery() });
    if (!isVerifierRefusal(answer) && handlerCalls() !== before) {
      bypasses.push({ variant: variant.name, target: variant.target, status: answer.status });
    }
  }
  return bypasses;
}

/** A genuine delivery (an `upsert.fail` event signed with `secret`) sent to `path`. */
export function sendGenuine(port: number, secret: string, path: string): Promise<RawAnswer> {
  const payload = { type: "upsert.fail", message: "m", name: "a", metadata: {}, collection_name: "c", error: "e" };
  const genuine = signIndependently(secret, JSON.stringify(payload));
  return sendRaw(port, { target: path, body: genuine.body as string, headers: genuine.headers });
}

/** What the ordinary routes answer: `GET <base>/health`, and `POST <base>/items` with JSON `{"a":1}`. */
export async function ordinaryAnswers(port: number, base: string): Promise<{ health: RawAnswer; items: RawAnswer }> {
  const health = await sendRaw(port, { method: "GET", target: `${base}/health` });
  const json = { body: '{"a":1}', headers: { "content-type": "application/json" } };
  return { health, items: await sendRaw(port, { target: `${base}/items`, ...json }) };
}

/** The ordinary routes' answers when nothing took them over. */
export const UNTOUCHED = {
  health: { status: 200, body: '{"ok":true}' },
  items: { status: 200, body: '{"received":{"a":1}}' },
} as const;
