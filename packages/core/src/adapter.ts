/**
 * What the framework adapters (and the CLI's listener) import: the delivery pipeline they hand each request to, the
 * body readers and the response writers. Everything else is the public API in the root entry.
 *
 * @packageDocumentation
 */

export { BodyBuffer } from "./body-buffer.js";
export type { BodyFramework, CapturedBody } from "./captured-body.js";
export { capturedBody } from "./captured-body.js";
export type { DedupeClaim, DedupeStore } from "./dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS } from "./dedupe.js";
export { DEDUPE_KEY_MAX_BYTES, DIGEST_KEY_PREFIX, dedupeKey } from "./dedupe-key.js";
export { DEFAULT_LOG_LINES, DEFAULT_LOG_WINDOW_MS } from "./default-log.js";
export { escapeText } from "./escape-text.js";
export { createFetchHandler, type FetchHandlerSettings, toFetchResponse } from "./fetch-handler.js";
export { type HandledMark, MARK_RETRY_MS, type MarkingStore, markHandled } from "./handled-mark.js";
export { bodyReadError, DEFAULT_LIMIT_BYTES } from "./limit.js";
export type { MetadataCheck } from "./metadata-check.js";
export { checkMetadataSchema, createMetadataCheck, isInvalidMetadata } from "./metadata-check.js";
export type { NodeResponseLike } from "./node-response.js";
export { sendNodeResponse, watchAnswer } from "./node-response.js";
export { numberOption } from "./number-option.js";
export type { PipelineSettings, ResolvedOptions } from "./options.js";
export type { AnswerCallback, BodyCallback, DeliveryPipeline, DeliveryPort } from "./pipeline.js";
export { createDeliveryPipeline } from "./pipeline.js";
export { type ProxyTrust, TRUST_ALL, TRUST_NONE } from "./proxy-trust.js";
export { readFetchBody } from "./read-fetch-body.js";
export type { NodeBodyCallback, NodeBodyLimits, NodeBodyStream } from "./read-node-body.js";
export { readNodeBody } from "./read-node-body.js";
export { responses, type WebhookResponse } from "./responses.js";
export {
  checkHttpsDecidable,
  currentRuntime,
  type FetchRuntime,
  peerOf,
  urlSchemeIsConnection,
} from "./runtime-transport.js";
