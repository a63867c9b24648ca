import { type DedupeClaim, type DedupeStore, WebhookVerificationError } from "@colivara/webhooks";
import { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, numberOption } from "@colivara/webhooks/adapter";
import { CLAIM_SCRIPT, COMPLETE_SCRIPT, RELEASE_SCRIPT } from "./scripts.js";

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
}

/**
 * The default key prefix: keys are `colivara:webhooks:<svix-id>`.
 *
 * @example
 * ```ts
 * redisStore(client, { prefix: `${DEFAULT_PREFIX}staging:` });
 * ```
 */
export const DEFAULT_PREFIX: string = "colivara:webhooks:";

type Evaluate = (script: string, key: string, args: string[]) => Promise<unknown>;

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

const CLIENT_HINT =
  "Pass an ioredis client (new Redis(url)) or a connected node-redis client (await createClient({ url }).connect()), e.g. verifyColivara({ dedupe: redisStore(new Redis(url)) }).";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ? `a ${value.constructor.name}` : "an object";
  return typeof value;
}

/** Finds how to run EVAL on this client: ioredis and node-redis spell it differently. */
function evaluator(client: unknown): Evaluate {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalid(`redisStore(client) needs a Redis client, got ${describe(client)}. ${CLIENT_HINT}`);
  }
  const candidate = client as Partial<Record<"call" | "eval" | "sendCommand", unknown>>;
  // ioredis (Redis and Cluster) has `call`; its eval takes the key count then keys and args.
  if (typeof candidate.call === "function" && typeof candidate.eval === "function") {
    const io = client as IORedisClient;
    return (script, key, args) => io.eval(script, 1, key, ...args);
  }
  // node-redis (client and cluster, v4 to v6): eval(script, { keys, arguments }).
  if (typeof candidate.eval === "function") {
    const node = client as NodeRedisClient;
    return (script, key, args) => node.eval(script, { keys: [key], arguments: args });
  }
  // A node-redis-like client with only the generic command (a standalone client's signature).
  if (typeof candidate.sendCommand === "function") {
    const send = candidate.sendCommand as (args: string[]) => Promise<unknown>;
    return (script, key, args) => send.call(client, ["EVAL", script, "1", key, ...args]);
  }
  throw invalid(`redisStore(client) got ${describe(client)} with no eval method, not a Redis client. ${CLIENT_HINT}`);
}

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

/**
 * A {@link DedupeStore} in Redis, for apps running several instances: a delivery id is
 * handled once whichever instance receives it. Each operation is one atomic Lua script;
 * keys are `prefix + svix-id`. Takes an `ioredis` or `redis` (node-redis) client, which
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
  const evaluate = evaluator(client);
  if (options === null || typeof options !== "object") {
    throw invalid(`redisStore options must be an object like { prefix, ttlSeconds, leaseSeconds }.`);
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string") throw invalid(`prefix must be a string, got ${describe(prefix)}.`);
  const ttlMs = milliseconds("ttlSeconds", options.ttlSeconds, DEFAULT_DEDUPE_TTL_SECONDS);
  const leaseMs = milliseconds("leaseSeconds", options.leaseSeconds, DEFAULT_LEASE_SECONDS);
  const lease = (token: string) => `p:${token}`;

  return {
    async claim(id: string): Promise<DedupeClaim> {
      const token = newToken();
      const reply = integerReply(await evaluate(CLAIM_SCRIPT, prefix + id, [lease(token), leaseMs]));
      if (reply === 0) return { status: "claimed", token };
      if (reply === 1) return { status: "in_flight" };
      if (reply === 2) return { status: "done" };
      throw new Error(`Unexpected reply from the Redis claim script: ${reply}`);
    },
    async complete(id: string, token: string): Promise<void> {
      await evaluate(COMPLETE_SCRIPT, prefix + id, [lease(token), ttlMs]);
    },
    async release(id: string, token: string): Promise<void> {
      await evaluate(RELEASE_SCRIPT, prefix + id, [lease(token)]);
    },
  };
}
