/**
 * Durable hand-off of verified ColiVara webhook deliveries to BullMQ: the adapter answers
 * 202 once the job is in Redis, a typed worker runs the handlers with retries, and failed
 * deliveries stay as dead letters to list and replay.
 *
 * @packageDocumentation
 */
export {
  type DeadLetterDetails,
  type DeadLetterSummary,
  listDeadLetters,
  replayDeadLetter,
  showDeadLetter,
} from "./dead-letters.js";
export { DEFAULT_KEEP_COMPLETED_SECONDS, DEFAULT_QUEUE_NAME } from "./defaults.js";
export { type BullmqHandOff, type BullmqHandOffOptions, bullmqHandOff } from "./hand-off.js";
export type { ColivaraJobData } from "./job-data.js";
export type { JobOutcome } from "./process-job.js";
export { type ColivaraWorkerOptions, createColivaraWorker } from "./worker.js";
