/**
 * The programmatic side of `colivara-webhooks`: what the commands do, for scripts and tests.
 *
 * @packageDocumentation
 */

export type { DeliveryLog, RawDelivery } from "./delivery-log.js";
export type { AppAnswer } from "./delivery-report.js";
export type { CliErrorCode } from "./errors.js";
export { CliError, EXIT_CODES } from "./errors.js";
export type { DeliveryReport, Listener, ListenOptions, ReplayMode } from "./listen.js";
export { LISTEN_HOST, startListener } from "./listen.js";
export { createProgram, run } from "./program.js";
export type { RegisterOptions, Registration } from "./register.js";
export { API_KEY_ENV, DEFAULT_BASE_URL, registerEndpoint } from "./register.js";
export { generateSecret, SECRET_ENV } from "./secret.js";
export type { DeliveryKind, DeliveryResult, HttpAnswer, SendOptions } from "./send.js";
export { DELIVERY_KINDS, EVENT_TYPES, examplePayload, STALE_SECONDS, sendDelivery } from "./send.js";
export type { TamperedBody } from "./tamper.js";
export { tamperBody } from "./tamper.js";
