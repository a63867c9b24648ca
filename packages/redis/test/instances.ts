// Runs app instances as separate Node processes (test/fixtures/*-instance.mjs, which load
// the built packages) and sends them deliveries the way Svix does: retry until a 2xx.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Delivery } from "../../../test/conformance/deliveries.js";

export type ClientKind = "ioredis" | "redis";

export interface Instance {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Starts one instance; resolves once it prints "listening on http://…". */
export async function startInstance(script: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let output = "";
  child.stdout?.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${script} exited (${code}) before listening:\n${output}`));
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) {
        child.off("exit", onExit);
        resolve(match[1] as string);
      }
    });
  });
  return {
    url,
    pid: child.pid as number,
    child,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
  };
}

/** Starts several instances at once; if one fails, stops the others before rethrowing. */
export async function startInstances(script: string, envs: Array<Record<string, string>>): Promise<Instance[]> {
  const started = await Promise.allSettled(envs.map((env) => startInstance(script, env)));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await Promise.all(started.map((result) => (result.status === "fulfilled" ? result.value.stop("SIGKILL") : null)));
    throw failed.reason;
  }
  return started.map((result) => (result as PromiseFulfilledResult<Instance>).value);
}

export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  /** Which instance answered. */
  url: string;
}

/** One POST; network errors (a killed instance, a dropped keep-alive socket) reject. */
export async function post(url: string, delivery: Delivery, path = "/webhooks/colivara"): Promise<Answer> {
  const response = await fetch(`${url}${path}`, { method: "POST", body: delivery.body, headers: delivery.headers });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, url };
}

/**
 * Delivers like Svix: a non-2xx answer or a network error is retried (here after a short
 * pause, to whichever instance comes next) until a 2xx, within `deadlineMs`.
 */
export async function deliver(
  urls: string[],
  delivery: Delivery,
  options: { first?: number; deadlineMs?: number; path?: string } = {},
): Promise<{ final: Answer; attempts: Array<Answer | Error> }> {
  const attempts: Array<Answer | Error> = [];
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  let index = options.first ?? Math.floor(Math.random() * urls.length);
  for (;;) {
    const url = urls[index % urls.length] as string;
    index++;
    try {
      const answer = await post(url, delivery, options.path);
      attempts.push(answer);
      if (answer.status >= 200 && answer.status < 300) return { final: answer, attempts };
    } catch (error) {
      attempts.push(error as Error);
    }
    if (Date.now() > deadline) {
      throw new Error(`delivery ${delivery.id} got no 2xx in time; attempts: ${JSON.stringify(attempts)}`);
    }
    await sleep(20 + Math.random() * 80);
  }
}

export interface RecordLine {
  kind: "handled" | "failed" | "started";
  id: string;
  pid: number;
}

/** A temp directory for one pair of instances: the record file and the once-markers. */
export function workspace(): { recordFile: string; markerDir: string; lines(): RecordLine[]; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "colivara-redis-"));
  const recordFile = join(dir, "record.jsonl");
  return {
    recordFile,
    markerDir: dir,
    lines() {
      if (!existsSync(recordFile)) return [];
      return readFileSync(recordFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordLine);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
