/**
 * What the framework adapters (and the CLI's listener) import: the delivery pipeline they hand each request to, the
 * body readers and the response writers. Everything else is the public API in the root entry.
 *
 * @packageDocumentation
 */

export type { DedupeClaim, DedupeStore } from "./dedupe/dedupe.js";
export { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS } from "./dedupe/dedupe.js";
export { DEDUPE_KEY_MAX_BYTES, DIGEST_KEY_PREFIX, dedupeKey } from "./dedupe/dedupe-key.js";
export { type HandledMark, MARK_RETRY_MS, type MarkingStore, markHandled } from "./dedupe/handled-mark.js";
export { BodyBuffer } from "./http/body-buffer.js";
export type { BodyFramework, CapturedBody } from "./http/captured-body.js";
export { capturedBody } from "./http/captured-body.js";
export { bodyReadError, DEFAULT_LIMIT_BYTES } from "./http/limit.js";
export { type ProxyTrust, TRUST_ALL, TRUST_NONE } from "./http/proxy-trust.js";
export { readFetchBody } from "./http/read-fetch-body.js";
export type { NodeBodyCallback, NodeBodyLimits, NodeBodyStream } from "./http/read-node-body.js";
export { readNodeBody } from "./http/read-node-body.js";
export { responses, type WebhookResponse } from "./http/responses.js";
export {
  checkHttpsDecidable,
  currentRuntime,
  type FetchRuntime,
  peerOf,
  urlSchemeIsConnection,
} from "./http/runtime-transport.js";
export { createFetchHandler, type FetchHandlerSettings, toFetchResponse } from "./pipeline/fetch-handler.js";
export type { NodeResponseLike } from "./pipeline/node-response.js";
export { sendNodeResponse, watchAnswer } from "./pipeline/node-response.js";
export type { PipelineSettings, ResolvedOptions } from "./pipeline/options.js";
export type { AnswerCallback, BodyCallback, DeliveryPipeline, DeliveryPort } from "./pipeline/pipeline.js";
export { createDeliveryPipeline } from "./pipeline/pipeline.js";
export { DEFAULT_LOG_LINES, DEFAULT_LOG_WINDOW_MS } from "./record/default-log.js";
export { escapeText } from "./shared/escape-text.js";
export { nearestKey } from "./shared/nearest-key.js";
export { numberOption } from "./shared/number-option.js";
export type { MetadataCheck } from "./verify/metadata-check.js";
export { checkMetadataSchema, createMetadataCheck, isInvalidMetadata } from "./verify/metadata-check.js";
export type { ParsedPayload, PayloadParser } from "./verify/parsed-payload.js";
