/**
 * Exactly-once ColiVara webhook handling across app instances: a Redis dedupe store for
 * every adapter's `dedupe` option.
 *
 * @packageDocumentation
 */
export type { DedupeClaim, DedupeStore } from "@colivara/webhooks";
export type { IORedisPipeline, ReplicaWait } from "./client-commands.js";
export { type PipelineReplies, pipelinedWithWait } from "./pipelined-wait.js";
export {
  DEFAULT_PREFIX,
  type IORedisClient,
  type NodeRedisClient,
  type RedisClient,
  type RedisStoreOptions,
  redisStore,
} from "./redis-store.js";
export { replicaWaitOption } from "./replica-wait-option.js";
