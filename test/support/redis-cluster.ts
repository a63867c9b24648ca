// Starts a throwaway Redis Cluster on 127.0.0.1: six redis-server processes in cluster mode
// (three primaries, one replica each) in a temp directory, joined with
// `redis-cli --cluster create … --cluster-replicas 1`. No persistence; a short node timeout
// so a killed primary's replica is promoted within a few seconds. stop() kills every node
// and removes the directory; the nodes also die with the test process.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { findRedisProgram, REDIS_MISSING } from "./redis-server.js";

export interface RedisCluster {
  /** Every node, for a cluster client's startup list: `new Cluster(cluster.nodes)`. */
  nodes: Array<{ host: string; port: number }>;
  /** The same as `host:port` strings (node-redis `createCluster({ rootNodes })` takes URLs). */
  urls: string[];
  /** Runs one command on one node with redis-cli and returns its raw output. */
  command(port: number, ...args: Array<string | number>): Promise<string>;
  /** Runs one read command on a replica (after READONLY); its raw output. Arguments without spaces. */
  readReplica(port: number, ...args: Array<string | number>): Promise<string>;
  /** The port of the primary that serves `key` now. */
  primaryFor(key: string): Promise<number>;
  /** The slot ranges the primary on `port` serves now (`CLUSTER KEYSLOT key` gives a key's slot). */
  slotsOf(port: number): Promise<Array<[from: number, to: number]>>;
  /** The port of a replica of the primary on `port`. */
  replicaOf(port: number): Promise<number>;
  /** Sends a signal to one node: SIGKILL to crash it, SIGSTOP/SIGCONT to freeze it. */
  signal(port: number, signal: NodeJS.Signals): void;
  /**
   * Starts a killed node again with its old cluster config: it rejoins as a replica of the
   * node promoted in its place. Resolves once that primary has it as an online replica.
   */
  restart(port: number, primary: number): Promise<void>;
  /** Resolves once `port` is a primary and every live node reports `cluster_state:ok`. */
  waitForPrimary(port: number): Promise<void>;
  /** Kills every node and removes the directory. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** `cluster-node-timeout`: how long a silent node takes to be declared failed. Default 1000 ms. */
  nodeTimeoutMs?: number;
}

const execFileAsync = promisify(execFile);

/** True when nothing listens on `port` of 127.0.0.1 right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Six ports whose cluster bus ports (port + 10000) are free too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (ports.includes(port) || ports.includes(port - 10_000) || ports.includes(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

interface Node {
  port: number;
  child: ChildProcess;
}

function nodeArgs(port: number, dir: string, nodeTimeoutMs: number): string[] {
  return [
    ...["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
    ...["--cluster-node-timeout", String(nodeTimeoutMs)],
    // A replica that lagged or was frozen may still be promoted (the tests make it lag).
    ...["--cluster-replica-validity-factor", "0"],
    // Replicas sync at once instead of waiting 5 s for more replicas to join a diskless sync.
    ...["--repl-diskless-sync-delay", "0"],
    // A lagging replica is never disconnected for its growing output buffer.
    ...["--client-output-buffer-limit", "replica 0 0 0"],
  ];
}

/** Spawns one node; resolves once it accepts connections, rejects if it exits first. */
async function spawnNode(binary: string, port: number, root: string, nodeTimeoutMs: number): Promise<Node> {
  const dir = join(root, String(port));
  mkdirSync(dir, { recursive: true });
  const child = spawn(binary, nodeArgs(port, dir, nodeTimeoutMs), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`${REDIS_MISSING} (${error.message})`)));
    child.once("exit", (code) => reject(new Error(`redis-server on ${port} exited (${code}):\n${output}`)));
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
  });
  child.removeAllListeners("exit");
  return { port, child };
}

async function cli(port: number, args: Array<string | number>): Promise<string> {
  const { stdout } = await execFileAsync(findRedisProgram("redis-cli"), ["-p", String(port), ...args.map(String)], {
    timeout: 5000,
  });
  return stdout;
}

async function cliReadonly(port: number, args: Array<string | number>): Promise<string> {
  const child = spawn(findRedisProgram("redis-cli"), ["-p", String(port)], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stdin.end(`READONLY\n${args.join(" ")}\n`);
  await once(child, "exit");
  return output.split("\n").slice(1).join("\n");
}

/** Polls until `check` is true; throws `what` after 60 s (a hang guard, not a timing claim). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: gave up waiting until ${what}`);
    await sleep(50);
  }
}

interface NodeLine {
  port: number;
  id: string;
  flags: string[];
  primaryId: string;
  slots: Array<[number, number]>;
}

/** Parses `CLUSTER NODES`. */
function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [id = "", address = "", flags = "", primaryId = "", , , , , ...slots] = line.trim().split(" ");
      const ranges = slots
        .filter((slot) => !slot.startsWith("["))
        .map((slot) => slot.split("-").map(Number) as [number, number?])
        .map(([from, to]): [number, number] => [from, to ?? from]);
      return {
        id,
        port: Number(address.split("@")[0]?.split(":")[1]),
        flags: flags.split(","),
        primaryId,
        slots: ranges,
      };
    });
}

function isUp(line: NodeLine): boolean {
  return !line.flags.includes("fail") && !line.flags.includes("fail?");
}

function controls(nodes: Node[], root: string, nodeTimeoutMs: number) {
  // If the test process dies without stop(), no node may outlive it.
  const killAll = () => {
    for (const node of nodes) node.child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const live = () => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  const nodesSeenBy = async (port: number) => parseNodes(await cli(port, ["CLUSTER", "NODES"]));
  const stateOk = async (port: number) => (await cli(port, ["CLUSTER", "INFO"])).includes("cluster_state:ok");
  return {
    command: (port: number, ...args: Array<string | number>) => cli(port, args),
    readReplica: (port: number, ...args: Array<string | number>) => cliReadonly(port, args),
    async primaryFor(key: string) {
      const someone = live()[0]?.port ?? 0;
      const slot = Number((await cli(someone, ["CLUSTER", "KEYSLOT", key])).trim());
      let owner = 0;
      // Polled for the same reason as replicaOf: a moment's "fail?" flag is not a missing primary.
      await until(`a live primary serves slot ${slot}`, async () => {
        const line = (await nodesSeenBy(someone)).find(
          (node) => node.flags.includes("master") && isUp(node) && node.slots.some(([a, b]) => slot >= a && slot <= b),
        );
        owner = line?.port ?? 0;
        return owner > 0;
      });
      return owner;
    },
    async slotsOf(port: number) {
      return (await nodesSeenBy(port)).find((node) => node.port === port)?.slots ?? [];
    },
    async replicaOf(port: number) {
      // The primary's own replication view, polled: gossip flags a busy replica "fail?" for a
      // moment on a loaded machine, and that is not the question the callers ask.
      let replica = 0;
      await until(`the primary on ${port} has an online replica`, async () => {
        const online = /port=(\d+),state=online/.exec(await cli(port, ["INFO", "replication"]));
        replica = Number(online?.[1] ?? 0);
        return replica > 0;
      });
      return replica;
    },
    signal(port: number, signal: NodeJS.Signals) {
      nodes.find((node) => node.port === port)?.child.kill(signal);
    },
    async restart(port: number, primary: number) {
      const index = nodes.findIndex((node) => node.port === port);
      nodes[index] = await spawnNode(findRedisProgram("redis-server"), port, root, nodeTimeoutMs);
      await until(`${port} is an online replica of ${primary}`, async () => {
        const replication = await cli(primary, ["INFO", "replication"]);
        return new RegExp(`port=${port},state=online`).test(replication);
      });
    },
    async waitForPrimary(port: number) {
      await until(`${port} is a primary`, async () => (await cli(port, ["ROLE"])).startsWith("master"));
      await until("every live node reports cluster_state:ok", async () => {
        const states = await Promise.all(live().map((node) => stateOk(node.port)));
        return states.every(Boolean);
      });
    },
    async stop() {
      process.off("exit", killAll);
      await Promise.all(
        nodes.map(async (node) => {
          if (node.child.exitCode !== null || node.child.signalCode !== null) return;
          const exited = once(node.child, "exit");
          node.child.kill("SIGKILL");
          await exited;
        }),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every node agrees the cluster is whole: state ok, six nodes known, replicas in sync. */
async function waitUntilFormed(ports: number[]): Promise<void> {
  await until("the cluster is formed", async () => {
    for (const port of ports) {
      const info = await cli(port, ["CLUSTER", "INFO"]);
      if (!info.includes("cluster_state:ok") || !info.includes(`cluster_known_nodes:${ports.length}`)) return false;
      const replication = await cli(port, ["INFO", "replication"]);
      if (replication.includes("role:slave") && !replication.includes("master_link_status:up")) return false;
    }
    return true;
  });
}

async function startOnce(options: RedisClusterOptions): Promise<RedisCluster> {
  const binary = findRedisProgram("redis-server");
  const ports = await freeClusterPorts(6);
  const root = mkdtempSync(join(tmpdir(), "colivara-cluster-"));
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const started = await Promise.allSettled(ports.map((port) => spawnNode(binary, port, root, nodeTimeoutMs)));
  const nodes = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const cluster = controls(nodes, root, nodeTimeoutMs);
  try {
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await execFileAsync(
      findRedisProgram("redis-cli"),
      ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"],
      { timeout: 60_000 },
    );
    await waitUntilFormed(ports);
    return {
      nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      urls: addresses.map((address) => `redis://${address}`),
      ...cluster,
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/**
 * Starts a Redis Cluster of three primaries with one replica each. Ports are picked free
 * and may be taken by another process before the nodes bind them: that start is retried.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.startsWith(REDIS_MISSING)) throw error;
    }
  }
  throw lastError;
}
