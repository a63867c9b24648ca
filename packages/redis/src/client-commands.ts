// How to run a script on the primary that holds a key, and then `WAIT` on the same
// connection: ioredis and node-redis, standalone and cluster, spell both differently.
// WAIT counts the replicas that acknowledged the writes of *its own connection*, so it must
// travel on the connection that ran the script, never to some other node of a cluster.
import { WebhookVerificationError } from "@colivara/webhooks";
import { pipelinedWithWait } from "./pipelined-wait.js";

/**
 * The part of an ioredis pipeline (`Redis` or `Cluster`) `waitForReplicas` uses: one key's
 * commands on one node and one connection.
 *
 * @example
 * ```ts
 * const pipeline: IORedisPipeline = new Redis(url).pipeline();
 * ```
 */
export interface IORedisPipeline {
  eval(script: string, numkeys: number, ...args: (string | number)[]): IORedisPipeline;
  call(command: string, ...args: (string | number)[]): IORedisPipeline;
  exec(): Promise<Array<[error: Error | null, reply: unknown]> | null>;
}

/**
 * Runs a one-key script; `wait` also waits for that many replicas, resolving how many
 * acknowledged. With `waitFor`, only a reply it accepts is waited for (0 acknowledged else):
 * a script that wrote nothing must not spend `timeoutMs` in a WAIT that cannot succeed.
 */
export interface Commands {
  evaluate(script: string, key: string, args: string[]): Promise<unknown>;
  evaluateAndWait(
    script: string,
    key: string,
    args: string[],
    wait: ReplicaWait,
    waitFor?: (reply: unknown) => boolean,
  ): Promise<[unknown, number]>;
}

/** `WAIT numreplicas timeout`. */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

type Send = (args: string[]) => Promise<unknown>;
type NodeEval = (script: string, options: { keys: string[]; arguments: string[] }) => Promise<unknown>;

interface AnyClient {
  call?: unknown;
  eval?: unknown;
  pipeline?: unknown;
  sendCommand?: unknown;
  getSlotMaster?: unknown;
  getNodeClientForKey?: unknown;
}

const CLIENT_HINT =
  "Pass an ioredis client (new Redis(url) or new Cluster(nodes)) or a connected node-redis client (await createClient({ url }).connect(), or createCluster), e.g. verifyColivara({ dedupe: redisStore(new Redis(url)) }).";

/** `invalid_config`, thrown when the store is created. */
export function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

/** "null", "a Cluster", "string": for messages about a wrong value. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ? `a ${value.constructor.name}` : "an object";
  return typeof value;
}

function waitArgs(wait: ReplicaWait): string[] {
  return ["WAIT", String(wait.replicas), String(wait.timeoutMs)];
}

/** EVAL and WAIT in one ioredis pipeline: one node, one connection. */
function evalThenWait(client: AnyClient, script: string, key: string, args: string[], wait: ReplicaWait) {
  if (typeof client.pipeline !== "function") throw new Error("this ioredis client has no pipeline()");
  const pipeline = (client.pipeline as () => IORedisPipeline).call(client);
  return pipeline
    .eval(script, 1, key, ...args)
    .call("WAIT", wait.replicas, wait.timeoutMs)
    .exec();
}

/** A keyed script that writes nothing: it carries a WAIT to the key's primary and connection. */
const ROUTE_SCRIPT = "return 1";

/**
 * The WAIT after a script that already ran, on the key's primary: a MOVED answer means the
 * slot changed hands in between, and a WAIT on another node's connection would count writes
 * that are not ours, so it counts as none acknowledged.
 */
async function waitAfter(client: AnyClient, key: string, wait: ReplicaWait): Promise<number> {
  const [routed, waited] = (await evalThenWait(client, ROUTE_SCRIPT, key, [], wait)) ?? [];
  if (!routed || !waited) throw new Error("the Redis pipeline was discarded");
  if (routed[0]?.message.startsWith("MOVED ")) return 0;
  if (routed[0]) throw routed[0];
  if (waited[0]) throw waited[0];
  return Number(waited[1]);
}

/** ioredis (`Redis` and `Cluster`): a pipeline keeps EVAL and WAIT on the key's node and connection. */
function ioredisCommands(client: AnyClient): Commands {
  const io = client as { eval(...args: [string, number, ...(string | number)[]]): Promise<unknown> };
  return {
    evaluate: (script, key, args) => io.eval(script, 1, key, ...args),
    async evaluateAndWait(script, key, args, wait, waitFor) {
      // A MOVED slot (a failover, a resharding): the script did not run; pipelinedWithWait retries.
      if (!waitFor) return pipelinedWithWait(client, () => evalThenWait(client, script, key, args, wait));
      // The WAIT depends on the reply, so it cannot share the script's pipeline: one more round trip.
      const reply = await io.eval(script, 1, key, ...args);
      return [reply, waitFor(reply) ? await waitAfter(client, key, wait) : 0];
    },
  };
}

/** Runs `evaluate` then WAIT through `send`, the same connection, in order. */
function sequential(evaluate: Commands["evaluate"], sendFor: (key: string) => Promise<Send>): Commands {
  return {
    evaluate,
    async evaluateAndWait(script, key, args, wait, waitFor) {
      const send = await sendFor(key);
      const reply = await evaluate(script, key, args);
      if (waitFor && !waitFor(reply)) return [reply, 0];
      return [reply, Number(await send(waitArgs(wait)))];
    },
  };
}

/**
 * node-redis cluster. v6: `eval` routes by key, and WAIT goes through the key's node client.
 * v4/v5: a raw command routed by its first key (v4's cluster `eval` ignores its keys and
 * lands on a random node: MOVED).
 */
function nodeRedisClusterCommands(client: AnyClient): Commands {
  if (typeof client.getNodeClientForKey === "function") {
    const evaluate = client.eval as NodeEval;
    const clusterEvaluate: Commands["evaluate"] = (script, key, args) =>
      evaluate.call(client, script, { keys: [key], arguments: args });
    // v6 sends a raw WAIT to every shard (its command policy): run both on the key's node client.
    const nodeFor = client.getNodeClientForKey as (key: string) => Promise<{ eval: NodeEval; sendCommand: Send }>;
    return {
      evaluate: clusterEvaluate,
      async evaluateAndWait(script, key, args, wait, waitFor) {
        const node = await nodeFor.call(client, key);
        const reply = await node.eval(script, { keys: [key], arguments: args });
        if (waitFor && !waitFor(reply)) return [reply, 0];
        return [reply, Number(await node.sendCommand(waitArgs(wait)))];
      },
    };
  }
  const send = client.sendCommand as (key: string, readonly: boolean, args: string[]) => Promise<unknown>;
  return sequential(
    (script, key, args) => send.call(client, key, false, ["EVAL", script, "1", key, ...args]),
    async (key) => (args) => send.call(client, key, false, args),
  );
}

/** node-redis standalone client (v4 to v6). */
function nodeRedisCommands(client: AnyClient): Commands {
  const evaluate = client.eval as NodeEval;
  const send = client.sendCommand as Send | undefined;
  return sequential(
    (script, key, args) => evaluate.call(client, script, { keys: [key], arguments: args }),
    async () => {
      if (typeof send !== "function") throw new Error("this node-redis client has no sendCommand()");
      return (args) => send.call(client, args);
    },
  );
}

/** A client known only by a standalone `sendCommand(args)`. */
function sendCommandCommands(client: AnyClient): Commands {
  const send = (args: string[]) => (client.sendCommand as Send).call(client, args);
  return sequential(
    (script, key, args) => send(["EVAL", script, "1", key, ...args]),
    async () => send,
  );
}

/** Finds how to run EVAL (and WAIT) on this client. Throws `invalid_config` for anything else. */
export function commandsFor(client: unknown): Commands {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalid(`redisStore(client) needs a Redis client, got ${describe(client)}. ${CLIENT_HINT}`);
  }
  const candidate = client as AnyClient;
  // ioredis (Redis and Cluster) has `call`; its eval takes the key count then keys and args.
  if (typeof candidate.call === "function" && typeof candidate.eval === "function") return ioredisCommands(candidate);
  if (typeof candidate.eval === "function") {
    return typeof candidate.getSlotMaster === "function"
      ? nodeRedisClusterCommands(candidate)
      : nodeRedisCommands(candidate);
  }
  if (typeof candidate.sendCommand === "function") return sendCommandCommands(candidate);
  throw invalid(`redisStore(client) got ${describe(client)} with no eval method, not a Redis client. ${CLIENT_HINT}`);
}
