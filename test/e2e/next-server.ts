// Builds examples/next with `next build` and runs it with `next start` on 127.0.0.1, as a
// user would. Verified deliveries are read back from the app's own log: one JSON line per
// event on stdout (Node and Edge routes share no memory, but they share the process's stdout).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const exampleDir: string = fileURLToPath(new URL("../../examples/next/", import.meta.url));
const nextBin = fileURLToPath(new URL("../../examples/next/node_modules/next/dist/bin/next", import.meta.url));

/** One line the example logs for each verified event (examples/next/lib/webhook-log.ts). */
export interface VerifiedLine {
  verified: true;
  integration: "app-node" | "app-edge" | "pages";
  form: "verify" | "handlers";
  runtime: string;
  id: string;
  type: string;
  originalType?: string;
  name?: string;
  sentAt: string;
  summary: string;
}

function childEnv(secret: string | undefined): NodeJS.ProcessEnv {
  // Vitest runs with NODE_ENV=test; Next must see a production build and server.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.COLIVARA_WEBHOOK_SECRET;
  if (secret !== undefined) env.COLIVARA_WEBHOOK_SECRET = secret;
  return env;
}

/**
 * `next build`, without COLIVARA_WEBHOOK_SECRET (the build must not need it). Next's own
 * type-check pass is skipped: `pnpm typecheck` covers the example with tsc.
 */
export async function buildExample(): Promise<{ seconds: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [nextBin, "build"], {
    cwd: exampleDir,
    env: { ...childEnv(undefined), COLIVARA_EXAMPLE_SKIP_TYPECHECK: "1" },
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

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export interface RunningExample {
  url: string;
  /** Every stdout line so far. */
  readonly stdout: string[];
  /** Every stderr line so far. */
  readonly stderr: string[];
  /** The verified-event lines, complete up to now (see {@link RunningExample.flush}). */
  verified(): Promise<VerifiedLine[]>;
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

async function waitUntilReady(child: ChildProcess, url: string, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`next start exited with ${child.exitCode}:\n${stderr.join("\n")}`);
    }
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`next start did not answer on ${url} within 60 s:\n${stderr.join("\n")}`);
}

/** `next start -H 127.0.0.1 -p <free port>`; `secret` undefined starts it without one. */
export async function startExample(secret: string | undefined): Promise<RunningExample> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: exampleDir,
    env: childEnv(secret),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  collectLines(child.stdout as NodeJS.ReadableStream, stdout, () => {
    for (const waiter of waiters) waiter();
  });
  collectLines(child.stderr as NodeJS.ReadableStream, stderr, () => {});

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(child, url, stderr);
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

  const verified = async () => {
    await flush();
    return stdout
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as VerifiedLine | { mark: string })
      .filter((line): line is VerifiedLine => "verified" in line);
  };

  return { url, stdout, stderr, verified, flush, stop };
}
