/**
 * The building blocks adapters share: the HTTP policy (statuses, error bodies, handler
 * dispatch) and the body limit. Framework adapters only read the request and write the
 * response.
 *
 * @packageDocumentation
 */

export { BodyBuffer } from "./body-buffer.js";
export type { BodyFramework, CapturedBody } from "./captured-body.js";
export { BODY_ALREADY_PARSED, bodyAlreadyParsed, capturedBody, isRawBody } from "./captured-body.js";
export type { DedupeClaim, DedupeStore } from "./dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, positiveOption } from "./dedupe.js";
export { toFetchResponse } from "./fetch-handler.js";
export { bodyReadError, DEFAULT_LIMIT_BYTES, parseLimit, payloadTooLarge } from "./limit.js";
export type { NodeResponseLike } from "./node-response.js";
export { sendNodeResponse, settleWhenAnswered } from "./node-response.js";
export { readFetchBody } from "./read-fetch-body.js";
export type { NodeBodyCallback, NodeBodyLimits, NodeBodyStream } from "./read-node-body.js";
export { readNodeBody } from "./read-node-body.js";
export {
  DEFAULT_READ_TIMEOUT_MS,
  parseReadTimeout,
  requestTimeout,
  watchDeadline,
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
