// Starts a throwaway redis-server on a free 127.0.0.1 port for one test file. No
// persistence, no config file: it lives and dies with the tests. A missing redis-server
// fails loudly (never a skip): `pnpm test` installs it first (scripts/system-deps.mjs).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants } from "node:fs";
import { createConnection } from "node:net";
import { delimiter, join } from "node:path";
import { freePort } from "./free-port.js";

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL), as a crash does, and waits for it to exit. */
  kill(): Promise<void>;
}

export const REDIS_MISSING =
  "redis-server not found: run `node scripts/system-deps.mjs` (pnpm test does), or apt-get install -y redis-server";

/** redis-server from PATH, else /usr/bin/redis-server; throws the install hint if neither exists. */
export function findRedisServer(): string {
  return findRedisProgram("redis-server");
}

/** A Redis program (`redis-server`, `redis-cli`) from PATH or the usual directories; throws the install hint. */
export function findRedisProgram(name: "redis-server" | "redis-cli"): string {
  const candidates = [
    ...(process.env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
    `/usr/bin/${name}`,
    `/usr/local/bin/${name}`,
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(REDIS_MISSING);
}

/** Resolves when the server answers PING with PONG; rejects if the process exits first. */
function waitForPong(port: number, child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`redis-server exited (code ${code}) before accepting connections:\n${output()}`));
    child.once("exit", onExit);
    const timer = setTimeout(() => finish(new Error(`redis-server did not answer PING:\n${output()}`)), 20_000);
    const attempt = () => {
      if (done) return;
      const socket = createConnection({ host: "127.0.0.1", port });
      let reply = "";
      socket.setEncoding("utf8");
      socket.on("connect", () => socket.write("PING\r\n"));
      socket.on("data", (chunk: string) => {
        reply += chunk;
        if (reply.includes("+PONG")) {
          socket.destroy();
          finish();
        }
      });
      socket.on("error", () => {
        socket.destroy();
        setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Where a persistent server keeps its append-only file: every write fsynced, so a SIGKILL loses none. */
function persistence(dir: string | undefined): string[] {
  if (dir === undefined) return ["--appendonly", "no"];
  return ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
}

async function startOnce(binary: string, port: number, dir?: string): Promise<RedisServer> {
  const child = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence(dir), "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  // If the test process dies without stop(), the server must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => reject(new Error(`${REDIS_MISSING} (${error.message})`)));
  });
  await spawned;
  await waitForPong(port, child, () => output);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts redis-server on a free port. The port is found by binding port 0 and releasing
 * it, so another process may take it in between: that start fails and is retried.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(binary, await freePort());
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.startsWith(REDIS_MISSING)) throw error;
    }
  }
  throw lastError;
}

/**
 * Starts redis-server with an append-only file in `dir` (fsynced on every write), on `port`
 * or a free one: killed and started again on the same port and directory, it comes back with
 * every key it acknowledged, as a production Redis with persistence does after a crash.
 */
export async function startPersistentRedisServer(dir: string, port?: number): Promise<RedisServer> {
  return startOnce(findRedisServer(), port ?? (await freePort()), dir);
}
