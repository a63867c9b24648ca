// Builds examples/next with `next build` and runs it with `next start` on 127.0.0.1, as a
// user would. Verified deliveries are read back from the app's own log: one JSON line per
// event on stdout (Node and Edge routes share no memory, but they share the process's stdout).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { HandledRecord } from "../conformance/suite.js";

export const exampleDir: string = fileURLToPath(new URL("../../examples/next/", import.meta.url));
const exampleNextBin = fileURLToPath(new URL("../../examples/next/node_modules/next/dist/bin/next", import.meta.url));

/** The example's integrations (examples/next/lib/webhook-log.ts). */
export type ExampleIntegration = "app-node" | "app-edge" | "pages";

/** One line the example logs for each verified event (examples/next/lib/webhook-log.ts). */
export interface VerifiedLine {
  verified: true;
  integration: ExampleIntegration;
  form: "verify" | "handlers" | "metadata";
  runtime: string;
  id: string;
  type: string;
  originalType?: string;
  name?: string;
  sentAt: string;
  summary: string;
  /** On the metadata routes: the schema's output the handler got. */
  metadata?: unknown;
}

/** One line the metadata routes' `deadLetter` logs for each delivery it keeps. */
export interface DeadLetterLine {
  deadLetter: true;
  integration: ExampleIntegration;
  runtime: string;
  id: string;
  type: string;
  sentAt: string;
  code: string;
  issues: { path: (string | number)[]; message: string }[];
}

function childEnv(secret: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Vitest runs with NODE_ENV=test; Next must see a production build and server.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.COLIVARA_WEBHOOK_SECRET;
  if (secret !== undefined) env.COLIVARA_WEBHOOK_SECRET = secret;
  return { ...env, ...extra };
}

/**
 * `next build`, without COLIVARA_WEBHOOK_SECRET (the build must not need it). Next's own
 * type-check pass is skipped: `pnpm typecheck` covers the example with tsc.
 */
export function buildExample(): Promise<{ seconds: number; output: string }> {
  return buildNextApp(exampleDir, exampleNextBin);
}

/**
 * `next build` of the Next.js app in `dir` with the Next.js CLI at `nextBin`. `distDir` (relative
 * to `dir`) builds elsewhere than `.next`, for an app whose next.config reads
 * `COLIVARA_NEXT_DIST_DIR` (packages/redis/test/fixtures/next-app): test files that build the
 * same app at once then never write over each other's build, nor over one a server runs.
 * Whatever serves it needs the same variable.
 */
export async function buildNextApp(
  dir: string,
  nextBin: string,
  options: { distDir?: string } = {},
): Promise<{ seconds: number; output: string }> {
  const started = performance.now();
  const distDir = options.distDir === undefined ? {} : { COLIVARA_NEXT_DIST_DIR: options.distDir };
  const child = spawn(process.execPath, [nextBin, "build"], {
    cwd: dir,
    env: { ...childEnv(undefined), COLIVARA_EXAMPLE_SKIP_TYPECHECK: "1", ...distDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output}`);
  return { seconds: (performance.now() - started) / 1000, output };
}

export interface RunningExample {
  url: string;
  /** The `next start` process (the server itself: Next serves from this one process). */
  pid: number;
  /** Every stdout line so far. */
  readonly stdout: string[];
  /** Every stderr line so far. */
  readonly stderr: string[];
  /** How the process ended ("exit 1", "SIGKILL"), or undefined while it runs. */
  exited(): string | undefined;
  /** The verified-event lines, complete up to now (see {@link RunningExample.flush}). */
  verified(): Promise<VerifiedLine[]>;
  /** The dead-letter lines, complete up to now. */
  deadLetters(): Promise<DeadLetterLine[]>;
  /** Resolves once every line the app logged before this call has been read. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function collectLines(stream: NodeJS.ReadableStream, into: string[], onLine: () => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop() as string;
    into.push(...parts);
    onLine();
  });
}

/**
 * Resolves with the URL `next start` prints once it listens ("- Local: http://…", the real
 * port even for `-p 0`) and says it is ready; rejects if it exits first or takes over 60 s.
 */
function listeningUrl(child: ChildProcess, stdout: string[], stderr: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      reject(new Error(`next start ${why}:\n${[...stdout, ...stderr].join("\n")}`));
    };
    const timer = setTimeout(() => fail("did not get ready within 60 s"), 60_000);
    child.once("exit", (code) => fail(`exited with ${code}`));
    function check() {
      const text = stdout.join("\n");
      const local = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (local && /Ready in/.test(text)) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(local[1] as string);
      }
    }
    // After collectLines' own listener, so `stdout` already holds the chunk's lines.
    child.stdout?.on("data", check);
  });
}

/**
 * `next start -H 127.0.0.1 -p 0`; `secret` undefined starts it without one. `env` adds
 * variables (e.g. COLIVARA_READ_TIMEOUT_MS, see examples/next/lib/webhook-options.ts).
 */
export function startExample(secret: string | undefined, env: Record<string, string> = {}): Promise<RunningExample> {
  return startNextApp(exampleDir, exampleNextBin, secret, env);
}

/** `next start` of the built app in `dir`, as {@link startExample} does for examples/next. */
export async function startNextApp(
  dir: string,
  nextBin: string,
  secret: string | undefined,
  env: Record<string, string> = {},
): Promise<RunningExample> {
  const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", "0"], {
    cwd: dir,
    env: childEnv(secret, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  collectLines(child.stdout as NodeJS.ReadableStream, stdout, () => {
    for (const waiter of waiters) waiter();
  });
  collectLines(child.stderr as NodeJS.ReadableStream, stderr, () => {});
  const listening = listeningUrl(child, stdout, stderr);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  let url: string;
  try {
    url = await listening;
  } catch (error) {
    await stop();
    throw error;
  }

  // The app writes each line synchronously before it answers; a marker logged by a later
  // request therefore comes after every line of the requests already answered.
  const flush = async () => {
    const mark = randomBytes(8).toString("hex");
    const line = JSON.stringify({ mark });
    const seen = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(line)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error("the log marker never appeared on stdout"));
      }, 10_000);
      waiters.add(check);
    });
    const response = await fetch(`${url}/api/health?mark=${mark}`);
    await response.arrayBuffer();
    await seen;
  };

  const logged = async () => {
    await flush();
    return stdout
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as VerifiedLine | DeadLetterLine | { mark: string });
  };
  const verified = async () => (await logged()).filter((line): line is VerifiedLine => "verified" in line);
  const deadLetters = async () => (await logged()).filter((line): line is DeadLetterLine => "deadLetter" in line);

  const exited = () =>
    child.signalCode !== null ? child.signalCode : child.exitCode !== null ? `exit ${child.exitCode}` : undefined;

  return { url, pid: child.pid as number, stdout, stderr, exited, verified, deadLetters, flush, stop };
}

/**
 * What one integration of a running example handled and kept, as the conformance suite reads
 * it (`ConformanceApp.handled`): its verified lines, then its dead letters.
 */
export async function handledBy(server: RunningExample, integration: ExampleIntegration): Promise<HandledRecord[]> {
  const [verifiedLines, deadLetterLines] = await Promise.all([server.verified(), server.deadLetters()]);
  const verified = verifiedLines
    .filter((line) => line.integration === integration)
    .map(
      ({ form, id, type, originalType, name, metadata }): HandledRecord =>
        form === "metadata"
          ? { route: form, id, type, metadata }
          : {
              route: form,
              id,
              type,
              ...(originalType !== undefined ? { originalType } : {}),
              ...(name !== undefined ? { name } : {}),
            },
    );
  const kept = deadLetterLines
    .filter((line) => line.integration === integration)
    .map(({ id, type, code }): HandledRecord => ({ route: "dead-letter", id, type, code }));
  return [...verified, ...kept];
}
