// Starts the fixtures (receivers, workers, a restartable redis-server) as separate
// processes and reads what the workers recorded.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { findRedisServer } from "../../../../test/support/redis-server.js";

export interface Child {
  child: ChildProcess;
  pid: number;
  /** What the process printed on its first line that matched. */
  ready: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Spawns `command` and resolves once its stdout matches `ready`. */
export async function start(
  command: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<Child> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let output = "";
  child.stdout?.setEncoding("utf8");
  const matched = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${args.join(" ")} exited (${code}):\n${output}`));
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      const match = output.match(ready);
      if (match) {
        child.off("exit", onExit);
        resolve(match[1] ?? match[0]);
      }
    });
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  };
  return { child, pid: child.pid as number, ready: matched, stop };
}

export const startReceiver = (env: Record<string, string>): Promise<Child> =>
  start(process.execPath, [fixture("receiver.mjs")], /listening on (http:\/\/[\d.:]+)/, env);

export const startWorker = (env: Record<string, string>): Promise<Child> =>
  start(process.execPath, [fixture("worker.mjs")], /worker ready/, env);

/** A worker with a `metadata` schema (fixtures/metadata-worker.mjs). */
export const startMetadataWorker = (env: Record<string, string>): Promise<Child> =>
  start(process.execPath, [fixture("metadata-worker.mjs")], /worker ready/, env);

/** A redis-server on a given port, so a test can stop it and start it again at the same address. */
export const startRedisAt = (port: number): Promise<Child> =>
  start(
    findRedisServer(),
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    /Ready to accept connections/,
  );

export interface RecordLine {
  /**
   * fixtures/crash-mid-job.mjs: "cut", the handler was at work when its worker was SIGKILLed;
   * "marked-then-killed", its mark was stored and the worker killed before BullMQ completed the job.
   */
  kind: "handled" | "failed" | "started" | "refused" | "cut" | "marked-then-killed";
  id: string;
  pid: number;
}

export interface Workspace {
  env: { RECORD_FILE: string; MARKER_DIR: string };
  /** The record file's JSON lines (a fixture's own shape when it is not worker.mjs). */
  lines<T = RecordLine>(): T[];
  remove(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "colivara-bullmq-"));
  const recordFile = join(dir, "record.jsonl");
  return {
    env: { RECORD_FILE: recordFile, MARKER_DIR: dir },
    lines<T = RecordLine>(): T[] {
      if (!existsSync(recordFile)) return [];
      return readFileSync(recordFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as T);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value, or throws `what` after `deadlineMs` (a hang guard, not a timing claim). */
export async function until<T>(
  what: string | (() => string),
  check: () => T | undefined | Promise<T | undefined>,
  deadlineMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${typeof what === "string" ? what : what()}`);
    await sleep(50);
  }
}

/** How many times each id appears with `kind`. */
export function countBy(lines: RecordLine[], kind: RecordLine["kind"]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) if (line.kind === kind) counts.set(line.id, (counts.get(line.id) ?? 0) + 1);
  return counts;
}

/** A port nobody listens on right now (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
