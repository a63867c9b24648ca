/**
 * The building blocks adapters share: the HTTP policy (statuses, error bodies, handler
 * dispatch) and the body limit. Framework adapters only read the request and write the
 * response.
 *
 * @packageDocumentation
 */

export type { DedupeClaim, DedupeStore } from "./dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, positiveOption } from "./dedupe.js";
export { readFetchBody, toFetchResponse } from "./fetch-handler.js";
export { bodyReadError, DEFAULT_LIMIT_BYTES, parseLimit, payloadTooLarge } from "./limit.js";
export type { NodeResponseLike } from "./node-response.js";
export { sendNodeResponse, settleWhenAnswered } from "./node-response.js";
export {
  DEFAULT_READ_TIMEOUT_MS,
  parseReadTimeout,
  requestTimeout,
  watchDeadline,
  withReadTimeout,
} from "./read-timeout.js";
export type {
  ErrorContext,
  ReceiveInput,
  ReceiveResult,
  ReceiverOptions,
  WebhookHandlers,
  WebhookReceiver,
  WebhookResponse,
} from "./receiver.js";
export { createReceiver } from "./receiver.js";
