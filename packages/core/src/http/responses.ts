import { isWebhookVerificationError, type WebhookErrorCode } from "../shared/errors.js";

/**
 * A framework-free response an adapter writes as it is.
 *
 * @example
 * ```ts
 * const toFetch = (r: WebhookResponse) => new Response(r.body || null, { status: r.status, headers: r.headers });
 * ```
 */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

function json(status: number, payload: unknown, extra?: Record<string, string>): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS, ...extra }, body: JSON.stringify(payload) };
}

function failure(status: number, code: WebhookErrorCode, message: string, extra?: Record<string, string>) {
  return json(status, { error: { code, message } }, extra);
}

/** Headers some failures carry besides the JSON body. */
function extraHeaders(code: WebhookErrorCode): Record<string, string> | undefined {
  if (code === "method_not_allowed") return { allow: "POST" };
  // The rest of the upload is not drained: the connection is closed instead.
  if (code === "payload_too_large" || code === "request_timeout") return { connection: "close" };
  return undefined;
}

/** Every answer the pipeline can give, built in one place. */
export const responses = {
  /** The handler ran (or there was none for this type): acknowledged. */
  noContent: (): WebhookResponse => ({ status: 204, headers: {}, body: "" }),
  /** Stored by the hand-off: a worker runs it. */
  accepted: (): WebhookResponse => json(202, { accepted: true }),
  /** A copy of a delivery already handled (or already stored). */
  duplicate: (): WebhookResponse => json(200, { duplicate: true }),
  inProgress: (): WebhookResponse =>
    failure(409, "delivery_in_progress", "This delivery is being handled by another attempt; retry later."),
  dedupeUnavailable: (): WebhookResponse =>
    failure(503, "dedupe_unavailable", "The delivery store is unavailable; the delivery will be retried."),
  handOffUnavailable: (): WebhookResponse =>
    failure(503, "handoff_unavailable", "The delivery queue is unavailable; the delivery will be retried."),
  /** The user's code threw: its message may hold anything, so it goes to onError, not the sender. */
  handlerFailed: (): WebhookResponse =>
    failure(500, "handler_failed", "The webhook handler failed; the delivery will be retried."),
  /**
   * Svix stops retrying a message answered with `webhook-delivery: abort-message`: a handler's
   * `permanentFailure()`, or metadata that does not match the app's schema (the details go to
   * `onError`, never to the sender).
   */
  // Stryker disable next-line StringLiteral: every code but invalid_metadata answers permanent_failure, so the default's value never shows
  aborted: (code: WebhookErrorCode = "permanent_failure"): WebhookResponse =>
    failure(
      422,
      code === "invalid_metadata" ? "invalid_metadata" : "permanent_failure",
      code === "invalid_metadata"
        ? "The document's metadata does not match this endpoint's schema; do not retry it."
        : "The delivery was refused for good; do not retry it.",
      { "webhook-delivery": "abort-message" },
    ),
  /**
   * The answer for a failure before the user's code: the failure table's status and a
   * message that never holds secret material. Server-side configuration errors keep their
   * detail for the log: an anonymous caller only learns that the endpoint is misconfigured.
   */
  rejected(error: unknown): WebhookResponse {
    if (!isWebhookVerificationError(error)) {
      return failure(500, "handler_failed", "Internal error while receiving the webhook.");
    }
    const message =
      error.code === "invalid_config"
        ? "The webhook endpoint is misconfigured; its server log says how to fix it."
        : error.message;
    return failure(error.status, error.code, message, extraHeaders(error.code));
  },
};
