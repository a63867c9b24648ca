/**
 * Durable hand-off of verified ColiVara webhook deliveries to BullMQ: the adapter answers
 * 202 once the job is in Redis, a typed worker runs the handlers with retries, and failed
 * deliveries stay as dead letters to list and replay. The worker logic is the core's
 * (`@colivara/webhooks/worker`); this package translates it into BullMQ's terms.
 *
 * @packageDocumentation
 */

export type { ColivaraJobData, DeadLetterDetails, DeadLetterSummary, JobOutcome } from "@colivara/webhooks/worker";
export { listDeadLetters, replayDeadLetter, showDeadLetter } from "./dead-letters.js";
export { DEFAULT_KEEP_COMPLETED_SECONDS, DEFAULT_QUEUE_NAME } from "./defaults.js";
export { type BullmqHandOff, type BullmqHandOffOptions, bullmqHandOff } from "./hand-off.js";
export { type ColivaraWorkerOptions, createColivaraWorker } from "./worker.js";
