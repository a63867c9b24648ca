import { WebhookVerificationError } from "../shared/errors.js";
import { payloadTooLarge } from "./limit.js";

/** The frameworks whose readers can find a body already taken; each has its own fix to name. */
export type BodyFramework = "express" | "fastify" | "nestjs" | "next-pages" | "hono" | "fetch";

/**
 * The `body_already_parsed` message of each framework: what consumed the body there, and
 * the fix in that framework's words. The one table of them; readers only pick a row.
 */
export const BODY_ALREADY_PARSED: Readonly<Record<BodyFramework, string>> = {
  express:
    "A body parser (express.json() or similar) read this request before verifyColivara() could see its raw bytes. " +
    "Register the webhook route before app.use(express.json()), e.g. app.post(path, verifyColivara(), handler), " +
    'or use express.raw({ type: "application/json" }) on that route.',
  fastify:
    "The request body was read before the colivara plugin could capture its raw bytes: an onRequest hook, " +
    "a preParsing hook or Connect middleware (e.g. express.json() through @fastify/middie or @fastify/express) " +
    "consumed it. Leave the body of webhook routes untouched before the plugin; Fastify's own content-type " +
    "parsers are fine, the plugin runs before them.",
  nestjs:
    "A body parser read this request before ColivaraWebhooksModule could capture its raw bytes: Nest's own parser " +
    "(an app built by @nestjs/testing on Nest 10 or 11.0 with platform-express) or a middleware that reads the body " +
    "(app.use(json()) in main.ts). Create the app with { rawBody: true } (NestFactory.create(AppModule, { rawBody: true }) " +
    "or createNestApplication(adapter, { rawBody: true })), or apply body-reading middleware after the module.",
  "next-pages":
    "Next.js's API body parser read this request before withColivaraWebhookPages() could see its raw bytes. " +
    "Add `export const config = { api: { bodyParser: false } };` to this pages/api route file.",
  hono:
    "The request body was parsed (c.req.json(), c.req.parseBody() or a validator) before colivaraWebhook() could read its raw bytes. " +
    "Register colivaraWebhook() before any middleware or validator that reads the body on this route.",
  fetch:
    "The request body was already read (request.json() or request.text() ran before the webhook verifier); pass the untouched Request.",
};

/** The 500 a reader answers when a body parser took the body and left no raw bytes. */
export function bodyAlreadyParsed(framework: BodyFramework): WebhookVerificationError {
  return new WebhookVerificationError("body_already_parsed", BODY_ALREADY_PARSED[framework]);
}

/**
 * Whether a body something captured before the verifier counts as the raw bytes:
 * - bytes (a Buffer or any Uint8Array): yes, as they are;
 * - a string: yes, taken as UTF-8. Every raw-text capture (`express.text()`, a `verify`
 *   hook's `buf.toString()`, Hono's cached text, Next.js's text) decodes the bytes as UTF-8
 *   unless the request declared another charset; Svix sends UTF-8 JSON, for which decoding
 *   and encoding again gives back the exact bytes. Where a capture did change them (another
 *   charset, a stripped BOM), the signature no longer matches and the delivery is refused
 *   (401): a string can make verification fail, never pass a forged body;
 * - anything else (a parsed object): no.
 */
export function isRawBody(value: unknown): value is Uint8Array | string {
  return typeof value === "string" || value instanceof Uint8Array;
}

/** What a framework captured before the verifier: raw bytes, or why none can be had. */
export type CapturedBody =
  | { body: Uint8Array | string; error?: undefined }
  | { error: WebhookVerificationError; body?: undefined };

/**
 * The one decision about a body captured before the verifier. The first of `captured`
 * (in the order the framework's conventions rank them, e.g. `req.rawBody` then `req.body`)
 * that {@link isRawBody} accepts is the body, refused with 413 if over `limit`. Without one,
 * a `consumed` stream (a parser read it: the raw bytes are gone) is `body_already_parsed`,
 * with `framework`'s message. `undefined` means nothing was taken: read the stream. A parsed
 * placeholder on an untouched stream (Express 4's body-parser sets `req.body = {}` for
 * types it skips) is not a capture.
 *
 * @example
 * ```ts
 * const captured = capturedBody("express", limit, [req.rawBody, req.body], req.readableEnded);
 * if (captured === undefined) readNodeBody(req, limits, done);
 * else done(captured.error, captured.body);
 * ```
 */
export function capturedBody(
  framework: BodyFramework,
  limit: number,
  captured: readonly unknown[],
  consumed: boolean,
): CapturedBody | undefined {
  for (const body of captured) {
    if (!isRawBody(body)) continue;
    return byteLength(body) > limit ? { error: payloadTooLarge(limit) } : { body };
  }
  return consumed ? { error: bodyAlreadyParsed(framework) } : undefined;
}

/** UTF-8 length without encoding (and without Node's Buffer, which Edge runtimes lack). */
function byteLength(body: Uint8Array | string): number {
  if (typeof body !== "string") return body.byteLength;
  let bytes = body.length;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && (body.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four UTF-8 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
