/**
 * Every failure code the pack can produce, with the HTTP status an adapter answers.
 * The codes are a stable public contract: match on `error.code`, never on messages.
 */
export const ERROR_STATUS: {
  readonly missing_headers: 401;
  readonly invalid_timestamp: 401;
  readonly timestamp_too_old: 401;
  readonly timestamp_too_new: 401;
  readonly invalid_signature: 401;
  readonly payload_too_large: 413;
  readonly invalid_payload: 400;
  readonly body_already_parsed: 500;
  readonly method_not_allowed: 405;
  readonly request_timeout: 408;
  readonly invalid_config: 500;
  readonly handler_failed: 500;
  readonly delivery_in_progress: 409;
  readonly dedupe_unavailable: 503;
  readonly handoff_unavailable: 503;
  readonly permanent_failure: 422;
  readonly https_required: 403;
  readonly invalid_metadata: 422;
} = {
  missing_headers: 401,
  invalid_timestamp: 401,
  timestamp_too_old: 401,
  timestamp_too_new: 401,
  invalid_signature: 401,
  payload_too_large: 413,
  invalid_payload: 400,
  body_already_parsed: 500,
  method_not_allowed: 405,
  request_timeout: 408,
  invalid_config: 500,
  handler_failed: 500,
  delivery_in_progress: 409,
  dedupe_unavailable: 503,
  handoff_unavailable: 503,
  permanent_failure: 422,
  https_required: 403,
  invalid_metadata: 422,
};

/**
 * One thing a `metadata` schema found wrong: where (`["tenant"]`, `["tags", 0]`; keys escaped,
 * at most 64 characters) and the schema's message. A message that could quote a value of the
 * metadata (any leaf, at any depth, appears in it) is replaced by a generic one, so no
 * metadata value reaches a log, an error or a dead letter, whatever the library prints.
 *
 * @example
 * ```ts
 * const issue: MetadataIssue = { path: ["tenant"], message: "Invalid input: expected string, received undefined" };
 * ```
 */
export interface MetadataIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * A stable error code, one per row of the failure table.
 *
 * @example
 * ```ts
 * const code: WebhookErrorCode = "invalid_signature";
 * ```
 */
export type WebhookErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error class of the pack. `code` is stable; `status` is the HTTP status every
 * adapter answers with; `message` says what to do and never holds secret material.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(body, headers);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError && error.code === "timestamp_too_old") {
 *     console.warn("stale delivery, is the server clock in sync?");
 *   }
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  readonly code: WebhookErrorCode;
  readonly status: number;
  /**
   * For `invalid_metadata`: what the `metadata` schema found wrong, as paths and messages
   * (never the values). Absent on every other code.
   */
  readonly issues?: readonly MetadataIssue[] | undefined;

  constructor(
    code: WebhookErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly MetadataIssue[] | undefined },
  ) {
    super(message, options);
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options?.issues !== undefined) this.issues = options.issues;
  }

  /** The JSON body adapters send: `{"error":{"code","message"}}`. */
  toJSON(): { error: { code: WebhookErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * True when `value` is a {@link WebhookVerificationError}, also across duplicated copies
 * of the package (two versions installed side by side break `instanceof`).
 *
 * @example
 * ```ts
 * if (isWebhookVerificationError(error)) res.status(error.status).json(error);
 * ```
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  return (
    value instanceof WebhookVerificationError ||
    (value instanceof Error &&
      value.name === "WebhookVerificationError" &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { status?: unknown }).status === "number")
  );
}
