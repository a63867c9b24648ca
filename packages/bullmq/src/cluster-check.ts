import { invalidConfig } from "./errors.js";

/** True when `connection` is an ioredis `Cluster` (BullMQ creates a standalone client from options). */
function isCluster(connection: unknown): boolean {
  return (
    typeof connection === "object" && connection !== null && (connection as { isCluster?: unknown }).isCluster === true
  );
}

/** Redis hashes only the part between the first `{` and the next `}`, when it is not empty. */
function hasHashTag(key: string): boolean {
  return /^[^{]*\{[^}]+\}/.test(key);
}

/**
 * `qualifiedName` is `<prefix>:<queue name>`, the start of every key of the queue. On a Redis Cluster, BullMQ's scripts touch several keys of a queue at once, which Redis
 * allows only within one hash slot: the prefix (or the queue name) must carry a hash tag.
 * Throws `invalid_config` at creation instead of a CROSSSLOT error on the first delivery.
 */
export function checkClusterKeys(what: string, connection: unknown, qualifiedName: string): void {
  if (!isCluster(connection)) return;
  if (hasHashTag(qualifiedName)) return;
  throw invalidConfig(
    `${what} on a Redis Cluster needs the queue's keys in one hash slot: give the queue and the worker the same prefix in braces, e.g. { prefix: "{colivara}" }.`,
  );
}
