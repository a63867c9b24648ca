import { WebhookVerificationError } from "../shared/errors.js";
import type { ColivaraEvent, VerifiedWebhook } from "../shared/events.js";
import { numberOption } from "../shared/number-option.js";
import { type HeaderInput, readWebhookHeaders } from "./headers.js";
import { createMacEngine, type MacEngine } from "./mac.js";
import { checkMetadataSchema, createMetadataCheck, type MetadataSchema } from "./metadata-check.js";
import { eventFromParsed, type ParsedPayload, type PayloadParser } from "./parsed-payload.js";
import { parseEvent } from "./payload.js";
import { resolveKeys } from "./secret.js";
import { parseSignatures } from "./signature.js";
import { checkWindow, parseTimestamp, skewOf } from "./timestamp.js";

/**
 * Options of {@link createVerifier}.
 *
 * @example
 * ```ts
 * const options: VerifierOptions = { secret: [process.env.NEW_SECRET!, process.env.OLD_SECRET!] };
 * ```
 */
export interface VerifierOptions<M = Record<string, unknown>> {
  /**
   * The endpoint's secret (`whsec_…`), or several during a rotation (any may match).
   * Default: `process.env.COLIVARA_WEBHOOK_SECRET`, which may list several separated by
   * commas or spaces.
   */
  secret?: string | readonly string[] | undefined;
  /** How far the signed timestamp may be from the clock, either way. Default 300. */
  toleranceSeconds?: number | undefined;
  /** Clock in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * A Standard Schema (zod, valibot, arktype, …) for the `metadata` of upsert events, checked
   * once the signature is verified; its output type is `event.metadata`. A mismatch is
   * `invalid_metadata` (422): a retry cannot change a stored document's metadata.
   */
  metadata?: MetadataSchema<M> | undefined;
}

/**
 * A prepared verifier: the key is decoded and imported once, so each call only hashes.
 *
 * @example
 * ```ts
 * const { event } = await verifier.verify(rawBody, request.headers);
 * ```
 */
export interface Verifier<M = Record<string, unknown>> {
  /**
   * Verifies one delivery. `rawBody` must be the exact bytes received (a Buffer,
   * Uint8Array or string), never re-serialised JSON. Throws only
   * {@link WebhookVerificationError} (and what a `metadata` schema itself throws).
   */
  verify(rawBody: Uint8Array | ArrayBuffer | string, headers: HeaderInput): Promise<VerifiedWebhook<ColivaraEvent<M>>>;
  /** `"node"` when node:crypto does the hashing, `"web"` for Web Crypto. */
  readonly engine: "node" | "web";
}

/** Default tolerance of the Standard Webhooks spec and Svix. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * What a check measured on the way, for the delivery record: filled only when the caller
 * passes an object (the pipeline does so only while recording), so a check without it
 * writes nothing. `id` is set once a signature matched: never for an unverified request.
 */
export interface CheckFacts {
  /** Receiver clock minus the signed timestamp, in seconds (positive: signed in the past). */
  skewSeconds: number | undefined;
  /** Index in the configured secrets of the one that matched. */
  secretIndex: number | undefined;
  /** The delivery id, once its signature matched. */
  id: string | undefined;
}

/**
 * A verification that is synchronous on node:crypto and a promise on Web Crypto, or when
 * `parse` hands the verified bytes to the framework's own parser.
 */
export type Check = (
  rawBody: Uint8Array | ArrayBuffer | string,
  headers: HeaderInput,
  facts?: CheckFacts,
  parse?: PayloadParser,
) => VerifiedWebhook | Promise<VerifiedWebhook>;

// Fail closed: an unexpected fault (a broken runtime, a hostile getter) is a rejection.
function failClosed(error: unknown): WebhookVerificationError {
  if (error instanceof WebhookVerificationError) return error;
  return new WebhookVerificationError("invalid_signature", "The webhook could not be verified.", { cause: error });
}

function invalidSignature(): WebhookVerificationError {
  return new WebhookVerificationError(
    "invalid_signature",
    "No webhook signature matches the configured secret. Check that the secret belongs to this endpoint and that the body reaches the verifier byte for byte: no JSON parser before it, and no proxy or gateway that re-encodes bodies (API gateways with body mapping templates, WAFs that normalise JSON, middleware that decompresses or re-serialises).",
  );
}

// The raw body the MAC covers; anything else means a parser ran first.
function rawBodyOf(input: Uint8Array | ArrayBuffer | string): Uint8Array | string {
  const rawBody = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (typeof rawBody === "string" || rawBody instanceof Uint8Array) return rawBody;
  throw new WebhookVerificationError(
    "body_already_parsed",
    "verify() needs the raw request body as a Buffer, Uint8Array or string, not a parsed object: read the body before any JSON parser runs.",
  );
}

function notUtf8(): WebhookVerificationError {
  return new WebhookVerificationError("invalid_payload", "The signature is valid but the body is not UTF-8.");
}

/** The verified bytes through the framework's parser (one parse), checked strictly as UTF-8 first. */
function parsedBy(
  parse: PayloadParser,
  engine: MacEngine,
  rawBody: Uint8Array | string,
  id: string,
  seconds: number,
): Promise<VerifiedWebhook> {
  // A framework decodes leniently (replacement characters); the pack refuses what is not UTF-8.
  if (typeof rawBody !== "string" && !engine.isUtf8(rawBody)) throw notUtf8();
  const text = () => (typeof rawBody === "string" ? rawBody : (engine.decodeUtf8(rawBody) as string));
  // One promise, settled from the parser's callback: this runs on every Fastify delivery.
  return new Promise((resolve, reject) =>
    parse(rawBody, (parsed: ParsedPayload) => {
      try {
        resolve({ id, timestamp: new Date(seconds * 1000), event: eventFromParsed(parsed, text) });
      } catch (error) {
        reject(failClosed(error));
      }
    }),
  );
}

// After the MAC comparison: the matched secret's index (-1 for none) becomes the event.
function accept(
  engine: MacEngine,
  matched: number,
  rawBody: Uint8Array | string,
  id: string,
  seconds: number,
  facts: CheckFacts | undefined,
  parse: PayloadParser | undefined,
): VerifiedWebhook | Promise<VerifiedWebhook> {
  if (matched < 0) throw invalidSignature();
  if (facts !== undefined) {
    facts.secretIndex = matched;
    facts.id = id;
  }
  if (parse !== undefined) return parsedBy(parse, engine, rawBody, id, seconds);
  const text = typeof rawBody === "string" ? rawBody : engine.decodeUtf8(rawBody);
  if (text === undefined) throw notUtf8();
  return { id, timestamp: new Date(seconds * 1000), event: parseEvent(text) };
}

/**
 * The verification behind {@link createVerifier}, for the adapters: it answers without a
 * promise when node:crypto does the hashing, so a Node request pays for no extra ticks.
 * Throws (or rejects with) {@link WebhookVerificationError} only.
 */
export function createCheck(options: VerifierOptions<unknown> = {}): { check: Check; engine: "node" | "web" } {
  const keys = resolveKeys(options.secret);
  const tolerance = numberOption("toleranceSeconds", options.toleranceSeconds, {
    fallback: DEFAULT_TOLERANCE_SECONDS,
    allowZero: true,
    unit: "seconds",
  });
  const now = options.now ?? Date.now;
  const engine = createMacEngine(keys);

  function check(
    input: Uint8Array | ArrayBuffer | string,
    headers: HeaderInput,
    facts?: CheckFacts,
    parse?: PayloadParser,
  ): VerifiedWebhook | Promise<VerifiedWebhook> {
    try {
      const rawBody = rawBodyOf(input);
      const { id, timestamp, signature } = readWebhookHeaders(headers);
      const seconds = parseTimestamp(timestamp);
      const skew = skewOf(seconds, now());
      if (facts !== undefined && Number.isFinite(skew)) facts.skewSeconds = skew;
      checkWindow(skew, tolerance);
      const signatures = parseSignatures(signature);
      // Stryker disable next-line ConditionalExpression: only saves the HMAC; with no entry no key matches and accept() throws the same error
      if (signatures.length === 0) throw invalidSignature();
      const matched = engine.matchingKey(`${id}.${timestamp}.`, rawBody, signatures);
      if (typeof matched === "number") return accept(engine, matched, rawBody, id, seconds, facts, parse);
      return matched
        .then((index) => accept(engine, index, rawBody, id, seconds, facts, parse))
        .catch((error: unknown) => {
          throw failClosed(error);
        });
    } catch (error) {
      throw failClosed(error);
    }
  }

  return { check, engine: engine.kind };
}

/**
 * Creates a verifier for ColiVara (Svix / Standard Webhooks) deliveries. Bad configuration
 * (missing, empty, non-base64 or too short secret) throws here, at start-up, with a
 * message that says what to set, never on a request.
 *
 * @example
 * ```ts
 * import { createVerifier } from "@colivara/webhooks";
 *
 * const verifier = createVerifier(); // reads COLIVARA_WEBHOOK_SECRET
 * const webhook = await verifier.verify(rawBody, headers);
 * if (webhook.event.type === "upsert.success") console.log(webhook.event.num_pages);
 * ```
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const typed = createVerifier({ metadata: z.object({ tenant: z.string() }) });
 * const { event } = await typed.verify(rawBody, headers); // invalid_metadata (422) on a mismatch
 * if (event.type === "upsert.success") console.log(event.metadata.tenant);
 * ```
 */
export function createVerifier<M = Record<string, unknown>>(options: VerifierOptions<M> = {}): Verifier<M> {
  const { check, engine } = createCheck(options);
  const schema = checkMetadataSchema(options.metadata);
  const metadata = createMetadataCheck(schema);
  return {
    async verify(rawBody, headers) {
      const checked = check(rawBody, headers);
      // Without a schema, no await: the verifier's cost is unchanged.
      return (schema === undefined ? checked : metadata(await checked)) as VerifiedWebhook<ColivaraEvent<M>>;
    },
    engine,
  };
}
