import { WebhookVerificationError } from "../shared/errors.js";
import { escapeText } from "../shared/escape-text.js";
import type { VerifiedWebhook } from "../shared/events.js";
import type { MaybePromise } from "../shared/maybe-async.js";
import type { StandardSchemaV1 } from "../shared/standard-schema.js";
import { metadataIssues } from "./metadata-issues.js";

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

/** Issues the message lists. */
const LISTED_ISSUES = 10;

function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${key}`),
    "metadata",
  );
}

function invalidMetadata(webhook: VerifiedWebhook, found: readonly StandardSchemaV1.Issue[]): WebhookVerificationError {
  const metadata = webhook.event.type === "unknown" ? undefined : webhook.event.metadata;
  const issues = metadataIssues(found, metadata);
  // All the issues stay in `issues`; the message names the first few, so that it stays one readable line.
  const shown = issues.slice(0, LISTED_ISSUES).map((issue) => `${pathText(issue.path)}: ${issue.message}`);
  if (issues.length > LISTED_ISSUES) shown.push(`${issues.length - LISTED_ISSUES} more in error.issues`);
  const listed = shown.join("; ");
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
