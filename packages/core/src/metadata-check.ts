import { type MetadataIssue, WebhookVerificationError } from "./errors.js";
import { escapeText } from "./escape-text.js";
import type { VerifiedWebhook } from "./events.js";
import type { MaybePromise } from "./maybe-async.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/**
 * The `metadata` option: any Standard Schema validator (zod, valibot, arktype, …) whose
 * output becomes `event.metadata`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const metadata: MetadataSchema<{ tenant: string }> = z.object({ tenant: z.string() });
 * ```
 */
export type MetadataSchema<M = Record<string, unknown>> = StandardSchemaV1<unknown, M>;

/**
 * Validates the metadata of a verified delivery: the same delivery with the schema's output
 * as `event.metadata`, synchronously when the schema is synchronous. A mismatch rejects with
 * `invalid_metadata`; a schema that throws rejects with what it threw.
 */
export type MetadataCheck = (webhook: VerifiedWebhook) => MaybePromise<VerifiedWebhook>;

const unchanged: MetadataCheck = (webhook) => webhook;

/** The `metadata` option, checked at start-up: a Standard Schema, or nothing. */
export function checkMetadataSchema(schema: unknown): MetadataSchema<unknown> | undefined {
  if (schema === undefined) return undefined;
  const props = (schema as { "~standard"?: Partial<StandardSchemaV1.Props> } | null)?.["~standard"];
  if (props?.version === 1 && typeof props.validate === "function") return schema as MetadataSchema<unknown>;
  throw new WebhookVerificationError(
    "invalid_config",
    "metadata must be a Standard Schema validator (a zod, valibot or arktype schema, …) for the metadata object of an upsert event.",
  );
}

/** Longest key, in characters, an issue's path shows; a key is the sender's text. */
const MAX_KEY_LENGTH = 64;
/** Deepest path an issue shows. */
const MAX_PATH_LENGTH = 32;

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

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Leaves the value out of a schema's message: valibot ("but received \"acme\"") and arktype
 * ("(was 3)") quote the value they received, and metadata can be personal data bound for a log.
 */
function redact(message: string, value: unknown): string {
  if (typeof value === "string" && value !== "") {
    const quoted = [JSON.stringify(value), `'${value}'`, `"${value}"`];
    return quoted.reduce((text, form) => text.split(form).join("[value]"), message);
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    const forms = [String(value), ...(typeof value === "bigint" ? [`${value}n`] : [])];
    return forms.reduce(
      (text, form) => text.replace(new RegExp(`(?<![\\w.])${escapeRegExp(form)}(?![\\w.])`, "g"), "[value]"),
      message,
    );
  }
  return message;
}

/** The schema's issues as paths and messages, without the values. */
export function metadataIssues(issues: readonly StandardSchemaV1.Issue[], metadata: unknown): MetadataIssue[] {
  return issues.map((issue) => {
    const path = rawPathOf(issue);
    return { path: shownPath(path), message: escapeText(redact(String(issue.message), valueAt(metadata, path))) };
  });
}

function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${key}`),
    "metadata",
  );
}

function invalidMetadata(webhook: VerifiedWebhook, found: readonly StandardSchemaV1.Issue[]): WebhookVerificationError {
  const metadata = webhook.event.type === "unknown" ? undefined : webhook.event.metadata;
  const issues = metadataIssues(found, metadata);
  const listed = issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`).join("; ");
  return new WebhookVerificationError(
    "invalid_metadata",
    `The metadata of ${webhook.event.type} delivery ${escapeText(webhook.id)} does not match the metadata schema (${listed}). ` +
      "A retry cannot change a stored document's metadata: the delivery is refused for good (422, abort-message) and kept through deadLetter.",
    { issues },
  );
}

function typed(webhook: VerifiedWebhook, result: StandardSchemaV1.Result<unknown>): VerifiedWebhook {
  if (result.issues) throw invalidMetadata(webhook, result.issues);
  return { ...webhook, event: { ...webhook.event, metadata: result.value } } as VerifiedWebhook;
}

/**
 * The metadata step of a delivery: after the signature (and the claim), before any handler.
 * Without a schema it hands the delivery on as it is. Events of types this version does not
 * know are not validated (their shape is unknown).
 *
 * @example
 * ```ts
 * const check = createMetadataCheck(z.object({ tenant: z.string() }));
 * andThen(check(webhook), (typed) => run(typed), (error) => refuse(error));
 * ```
 */
export function createMetadataCheck(schema: MetadataSchema<unknown> | undefined): MetadataCheck {
  if (schema === undefined) return unchanged;
  const props = schema["~standard"];
  return (webhook) => {
    if (webhook.event.type === "unknown") return webhook;
    try {
      const result = props.validate(webhook.event.metadata);
      if (result instanceof Promise) return result.then((settled) => typed(webhook, settled));
      return typed(webhook, result);
    } catch (error) {
      // A failure is never the hot path: a rejection keeps the step's one way of failing.
      return Promise.reject(error);
    }
  };
}

/** True for the error of a metadata mismatch, also from another copy of the package. */
export function isInvalidMetadata(error: unknown): error is WebhookVerificationError {
  return (error as { code?: unknown } | null)?.code === "invalid_metadata" && error instanceof Error;
}
