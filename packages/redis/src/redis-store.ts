import type { DedupeClaim, DedupeStore } from "@colivara/webhooks";
import { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, numberOption } from "@colivara/webhooks/adapter";
import {
  type Commands,
  commandsFor,
  describe,
  type IORedisPipeline,
  invalid,
  type ReplicaWait,
} from "./client-commands.js";
import { replicaWaitOption } from "./replica-wait-option.js";
import { CLAIM_SCRIPT, COMPLETE_SCRIPT, EXTEND_SCRIPT, RELEASE_SCRIPT } from "./scripts.js";

/**
 * The part of an `ioredis` client (`Redis` or `Cluster`) the store uses.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * const client: IORedisClient = new Redis("redis://127.0.0.1:6379");
 * ```
 */
export interface IORedisClient {
  call(...args: [command: string, ...args: (string | number)[]]): Promise<unknown>;
  eval(...args: [script: string, numkeys: number, ...args: (string | number)[]]): Promise<unknown>;
  /** Used by `waitForReplicas`, which runs the script and `WAIT` in one pipeline on the key's node. */
  pipeline?(): IORedisPipeline;
}

/**
 * The part of a `redis` (node-redis v4, v5 or v6) client or cluster the store uses.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisClient = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * ```
 */
export interface NodeRedisClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * A client {@link redisStore} accepts: `ioredis` or `redis` (node-redis). Neither is a
 * dependency of this package; bring the one your app already uses.
 *
 * @example
 * ```ts
 * const client: RedisClient = new Redis("redis://127.0.0.1:6379");
 * ```
 */
export type RedisClient = IORedisClient | NodeRedisClient;

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { prefix: "myapp:colivara:", leaseSeconds: 120 };
 * ```
 */
export interface RedisStoreOptions {
  /** Prepended to every key, so the store's keys never collide with others. Default `"colivara:webhooks:"`. */
  prefix?: string | undefined;
  /** How long handled ids are remembered. Default 28 hours (Svix's retry horizon). */
  ttlSeconds?: number | undefined;
  /**
   * How long a claim lives if its process dies mid-handler; after it, a redelivery is
   * processed. Keep it above your handler's longest run. Default 60.
   */
  leaseSeconds?: number | undefined;
  /**
   * After a claim or a completion, wait (Redis `WAIT`) until this many replicas of the
   * key's primary acknowledged the write. A claim not acknowledged within `waitTimeoutMs`
   * is given back and the delivery answered `503 dedupe_unavailable`, so the sender retries;
   * a handled mark not acknowledged is retried like one that failed (for up to 10 s, through
   * a failover to the promoted replica), then reported through `onError` with the delivery
   * id. Closes the window in which a failover loses a handled mark acknowledged only by the
   * primary that died (see the README for what each setting promises). Off by default.
   */
  waitForReplicas?: number | undefined;
  /** The longest `WAIT` for `waitForReplicas`, in milliseconds. Default 500. */
  waitTimeoutMs?: number | undefined;
}

/**
 * The default key prefix: keys are `colivara:webhooks:<svix-id>`, or
 * `colivara:webhooks:~sha256-<hex>` for an id over 256 UTF-8 bytes (see `dedupeKey`).
 *
 * @example
 * ```ts
 * redisStore(client, { prefix: `${DEFAULT_PREFIX}staging:` });
 * ```
 */
export const DEFAULT_PREFIX: string = "colivara:webhooks:";

function milliseconds(name: string, value: unknown, fallback: number): string {
  const ms = Math.ceil(numberOption(name, value, { fallback, unit: "seconds" }) * 1000);
  if (!Number.isSafeInteger(ms)) throw invalid(`${name} is too large for Redis, got ${String(value)}.`);
  return String(ms);
}

/** Replies arrive as numbers, or as strings under a node-redis RESP3 type mapping. */
function integerReply(reply: unknown): number {
  const value = typeof reply === "bigint" ? Number(reply) : typeof reply === "string" ? Number(reply) : reply;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new Error(`Unexpected reply from the Redis dedupe script: ${String(reply)}`);
  }
  return value;
}

function newToken(): string {
  return globalThis.crypto.randomUUID();
}

function notAcknowledged(what: string, wait: ReplicaWait, acknowledged: number): Error {
  const error = new Error(
    `The ${what} was not acknowledged by ${wait.replicas} Redis replica(s) within ${wait.timeoutMs} ms (${acknowledged} did); a failover now could lose it.`,
  );
  error.name = "ReplicaWaitError";
  return error;
}

/**
 * Runs a script; with `wait`, also WAIT on the same connection. `missing` is how many
 * replicas short of `wait.replicas` acknowledged it (0 without `wait`).
 */
function runner(commands: Commands, wait: ReplicaWait | undefined) {
  return async (
    script: string,
    key: string,
    args: string[],
    waitFor?: (reply: unknown) => boolean,
  ): Promise<{ reply: unknown; acknowledged: number }> => {
    if (!wait) return { reply: await commands.evaluate(script, key, args), acknowledged: Number.POSITIVE_INFINITY };
    const [reply, acknowledged] = await commands.evaluateAndWait(script, key, args, wait, waitFor);
    return { reply, acknowledged };
  };
}

/** Only a claim that wrote its lease (0) has anything for replicas to acknowledge. */
const claimedOnly = (reply: unknown): boolean => integerReply(reply) === 0;

function tooFewReplicas(id: string, wait: ReplicaWait): Error {
  const error = new Error(
    `The claim of ${id} was refused at once: its Redis primary has fewer than ${wait.replicas} replica(s) in sync (waitForReplicas), so the delivery is answered 503 and the sender retries it; the other primaries' deliveries go on.`,
  );
  error.name = "ReplicaWaitError";
  return error;
}

/**
 * A {@link DedupeStore} in Redis, for apps running several instances: a delivery id is
 * handled once whichever instance receives it. Each operation is one atomic Lua script on
 * one key, `prefix + key`, so it works on Redis Cluster as well. The adapters pass the
 * delivery's `dedupeKey(id)` (from `@colivara/webhooks/adapter`): the svix-id itself, or
 * `~sha256-<hex>` for an id over 256 UTF-8 bytes, so no signed id, however long, makes a
 * key longer than `prefix` + 256 bytes. Call it the same way if you use the store yourself. Takes an `ioredis`
 * (`Redis` or `Cluster`) or `redis` (node-redis client or `createCluster`) client, which
 * the app creates, connects and closes. Bad options throw `invalid_config` here.
 *
 * @example
 * ```ts
 * import { verifyColivara } from "@colivara/webhooks-express";
 * import { redisStore } from "@colivara/webhooks-redis";
 * import { Redis } from "ioredis";
 *
 * const dedupe = redisStore(new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"));
 * app.post("/webhooks/colivara", verifyColivara({ dedupe }), (req, res) => res.sendStatus(204));
 * ```
 */
export function redisStore(client: RedisClient, options: RedisStoreOptions = {}): DedupeStore {
  const commands = commandsFor(client);
  if (options === null || typeof options !== "object") {
    throw invalid(`redisStore options must be an object like { prefix, ttlSeconds, leaseSeconds }.`);
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string") throw invalid(`prefix must be a string, got ${describe(prefix)}.`);
  const ttlMs = milliseconds("ttlSeconds", options.ttlSeconds, DEFAULT_DEDUPE_TTL_SECONDS);
  const leaseMs = milliseconds("leaseSeconds", options.leaseSeconds, DEFAULT_LEASE_SECONDS);
  const wait = replicaWaitOption(options.waitForReplicas, options.waitTimeoutMs);
  const run = runner(commands, wait);
  const lease = (token: string) => `p:${token}`;
  const release = (id: string, token: string) => commands.evaluate(RELEASE_SCRIPT, prefix + id, [lease(token)]);

  return {
    async claim(id: string): Promise<DedupeClaim> {
      const token = newToken();
      const args = wait ? [lease(token), leaseMs, String(wait.replicas)] : [lease(token), leaseMs];
      const { reply, acknowledged } = await run(CLAIM_SCRIPT, prefix + id, args, claimedOnly);
      const status = integerReply(reply);
      if (status === 3 && wait) throw tooFewReplicas(id, wait);
      if (status === 0 && wait && acknowledged < wait.replicas) {
        // Give the claim back (best effort) and let the sender retry: 503 dedupe_unavailable.
        await release(id, token).catch(() => undefined);
        throw notAcknowledged(`claim of ${id}`, wait, acknowledged);
      }
      if (status === 0) return { status: "claimed", token };
      if (status === 1) return { status: "in_flight" };
      if (status === 2) return { status: "done" };
      throw new Error(`Unexpected reply from the Redis claim script: ${status}`);
    },
    async complete(id: string, token: string): Promise<void> {
      const { acknowledged } = await run(COMPLETE_SCRIPT, prefix + id, [lease(token), ttlMs]);
      if (wait && acknowledged < wait.replicas) throw notAcknowledged(`handled mark of ${id}`, wait, acknowledged);
    },
    async release(id: string, token: string): Promise<void> {
      await release(id, token);
    },
    async extend(id: string, token: string): Promise<void> {
      await commands.evaluate(EXTEND_SCRIPT, prefix + id, [lease(token), leaseMs]);
    },
  };
}
