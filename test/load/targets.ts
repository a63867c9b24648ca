// The apps under load: the example apps, each started as its own process on 127.0.0.1 as a
// user would (node server.js; next start on the production build). What a handler saw is
// read back from the app's own log: one JSON line per verified event on stdout.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { buildExample, type RunningExample, startExample } from "../e2e/next-server.js";
import { Signer } from "./deliveries.js";
import { GC_PRELOAD } from "./memory.js";
import type { Kind } from "./traffic.js";

export type TargetName = "express" | "fastify" | "hono" | "fetch" | "next-app" | "next-pages" | "next-edge";
export const TARGET_NAMES: TargetName[] = [
  "express",
  "fastify",
  "hono",
  "fetch",
  "next-app",
  "next-pages",
  "next-edge",
];
/**
 * What a run drives unless --targets says otherwise. The Edge route of examples/next is
 * opt-in: `next start` runs Edge functions in a sandbox about 20 times slower than the Node
 * routes, and with the platform limits listed at EDGE_UNSUPPORTED.
 */
export const DEFAULT_TARGETS: TargetName[] = ["express", "fastify", "next-app", "next-pages"];

export interface Target {
  name: TargetName;
  /** The webhook URL. */
  url: string;
  /** The server process (Express, Fastify and `next start` each serve from one process). */
  pid: number;
  /** Where the server writes its memory usage after each GC the suite asks for (memory.ts). */
  memoryFile: string;
  /**
   * False where the platform holds the request until its body has fully arrived, so no
   * answer can come earlier (`next start` and Edge functions): an over-limit Content-Length
   * is then sent in full, not just declared.
   */
  answersBeforeUpload: boolean;
  /** Kinds of the mix this target is not sent, and why (a platform limit, never the adapter's). */
  unsupported: Partial<Record<Kind, string>>;
  /** The read timeout the server runs with. */
  readTimeoutMs: number;
  /** Resolves once every event the app logged before this call has been read. */
  flush(): Promise<void>;
  /** How many times each delivery id was handled, as the app logged it (call flush first). */
  handled(): Map<string, number>;
  /**
   * The outcomes of the delivery records the app wrote (pino JSON on stdout, COLIVARA_LOG=json),
   * by delivery id; undefined for the Next Edge route, which keeps the default log (pino needs Node).
   */
  records?: (() => Map<string, string[]>) | undefined;
  /** stderr lines so far, less what the platform logs for an aborted client (see next-edge). */
  stderr(): string[];
  /** Exit code or signal, once the process has exited; undefined while it runs. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Every target's server reads the body for at most this long (COLIVARA_READ_TIMEOUT_MS). */
export const READ_TIMEOUT_MS = 2000;

function memoryFile(): string {
  return join(mkdtempSync(join(tmpdir(), "colivara-load-memory-")), "memory.jsonl");
}

/** How a target's server is started beyond its secret. */
export interface ServerSettings {
  /** Caps the server's V8 heap (`--max-old-space-size`), as a container limit would. */
  heapMiB?: number | undefined;
  /** The read timeout instead of {@link READ_TIMEOUT_MS}. */
  readTimeoutMs?: number | undefined;
}

const serverEnv = (
  secret: string,
  memory: string,
  settings: ServerSettings,
  readTimeoutMs = settings.readTimeoutMs ?? READ_TIMEOUT_MS,
): Record<string, string> => ({
  COLIVARA_WEBHOOK_SECRET: secret,
  COLIVARA_READ_TIMEOUT_MS: String(readTimeoutMs),
  NODE_OPTIONS: [
    process.env.NODE_OPTIONS,
    GC_PRELOAD,
    settings.heapMiB === undefined ? undefined : `--max-old-space-size=${settings.heapMiB}`,
  ]
    .filter(Boolean)
    .join(" "),
  COLIVARA_LOAD_MEMORY_FILE: memory,
});

function countVerified(lines: Iterable<string>, into: Map<string, number>): void {
  for (const line of lines) {
    if (!line.startsWith('{"verified":true')) continue;
    const { id } = JSON.parse(line) as { id: string };
    into.set(id, (into.get(id) ?? 0) + 1);
  }
}

/** Reads pino delivery records (`"outcome"` lines) into outcomes by delivery id. */
function collectRecords(lines: Iterable<string>, into: Map<string, string[]>): void {
  for (const line of lines) {
    if (!line.startsWith('{"level"') || !line.includes('"outcome"')) continue;
    const { deliveryId, outcome } = JSON.parse(line) as { deliveryId?: string; outcome: string };
    if (deliveryId === undefined) continue;
    const outcomes = into.get(deliveryId);
    if (outcomes) outcomes.push(outcome);
    else into.set(deliveryId, [outcome]);
  }
}

function exitOf(child: ChildProcess): string | undefined {
  if (child.signalCode !== null) return child.signalCode;
  if (child.exitCode !== null) return `exit ${child.exitCode}`;
  return undefined;
}

/**
 * examples/express or examples/fastify (`node server.js`), or the Hono and Fetch handler
 * servers of servers/fetch-servers.mjs (no example app has them); PORT=0.
 */
async function startNodeExample(
  name: "express" | "fastify" | "hono" | "fetch",
  secret: string,
  settings: ServerSettings,
): Promise<Target> {
  const memory = memoryFile();
  const example = name === "express" || name === "fastify";
  const child = spawn(process.execPath, example ? ["server.js"] : ["fetch-servers.mjs", name], {
    cwd: fileURLToPath(new URL(example ? `../../examples/${name}/` : "./servers/", import.meta.url)),
    env: {
      ...process.env,
      ...serverEnv(secret, memory, settings),
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      // Every app logs each attempt as pino JSON: the delivery records the mix checks.
      COLIVARA_LOG: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));

  const handled = new Map<string, number>();
  const records = new Map<string, string[]>();
  const stderr: string[] = [];
  const stdoutRest: string[] = [];
  const waiters = new Set<() => void>();
  let pending = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() as string;
    countVerified(lines, handled);
    collectRecords(lines, records);
    for (const line of lines) if (!line.startsWith("{")) stdoutRest.push(line);
    for (const waiter of waiters) waiter();
  });
  let pendingErr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    pendingErr += chunk;
    const lines = pendingErr.split("\n");
    pendingErr = lines.pop() as string;
    stderr.push(...lines);
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`examples/${name} did not listen within 30 s`)), 30_000);
    const onExit = () => reject(new Error(`examples/${name} exited (${exitOf(child)}):\n${stderr.join("\n")}`));
    child.once("exit", onExit);
    const check = () => {
      const match = /listening on (http:\/\/[\d.:]+\/webhooks\/colivara)/.exec(stdoutRest.join("\n"));
      if (!match) return;
      clearTimeout(timer);
      waiters.delete(check);
      child.off("exit", onExit);
      resolve(match[1] as string);
    };
    waiters.add(check);
  });

  // A sentinel delivery sent after everything else: the app logs each event synchronously
  // before answering, so once its line is read, every earlier line has been read too.
  const signer = new Signer(secret);
  const flush = async () => {
    const sentinel = signer.valid();
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`the sentinel delivery ${sentinel.id} never appeared in the log`));
      }, 30_000);
      function check() {
        if (!handled.has(sentinel.id)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      }
      waiters.add(check);
    });
    const response = await fetch(url, { method: "POST", body: sentinel.body, headers: sentinel.headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the sentinel delivery answered ${response.status}`);
    await seen;
    handled.delete(sentinel.id);
  };

  return {
    name,
    url,
    pid: child.pid as number,
    memoryFile: memory,
    answersBeforeUpload: true,
    unsupported: {},
    readTimeoutMs: settings.readTimeoutMs ?? READ_TIMEOUT_MS,
    flush,
    handled: () => handled,
    records: () => records,
    stderr: () => [...stderr, ...(pendingErr ? [pendingErr] : [])],
    exited: () => exitOf(child),
    async stop() {
      if (exitOf(child) === undefined) {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dirname(memory), { recursive: true, force: true });
    },
  };
}

const NEXT_PATHS = {
  "next-app": "/api/webhooks/colivara",
  "next-pages": "/api/pages-router/webhooks/colivara",
  "next-edge": "/api/edge/webhooks/colivara",
} as const;

let nextBuilt: Promise<unknown> | undefined;

/**
 * What `next start` (Next.js 16.4) does not let an Edge route do, whatever the route does:
 * - it hands the Edge function the request only once the whole body has arrived, so a slow
 *   upload is never cut off by the route's read timeout (it waits for Node's own
 *   requestTimeout, 300 s by default);
 * - when the route stops reading a chunked body (no Content-Length) past the limit and
 *   cancels the stream, the response is never sent: the same route answers 413 to the same
 *   body with a Content-Length, and the Node runtime route answers 413 to both.
 */
const EDGE_UNSUPPORTED: Partial<Record<Kind, string>> = {
  trickle: "next start holds Edge requests until the whole body has arrived",
  oversizedStreamed: "next start never sends the Edge response once the route cancels a chunked body past the limit",
};

/** Next logs each aborted Edge request body as four lines on stderr: the platform's, not an error of ours. */
function withoutAbortLogs(lines: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (
      lines[i] === "⨯ Error: aborted" &&
      lines[i + 1]?.trim() === "at ignore-listed frames {" &&
      lines[i + 2]?.trim() === "code: 'ECONNRESET'" &&
      lines[i + 3] === "}"
    ) {
      i += 3;
      continue;
    }
    kept.push(lines[i] as string);
  }
  return kept;
}

/** examples/next: `next build` once per run (no secret needed), then `next start` per target. */
async function startNextExample(
  name: keyof typeof NEXT_PATHS,
  secret: string,
  settings: ServerSettings,
): Promise<Target> {
  nextBuilt ??= buildExample().then(({ seconds }) =>
    console.info(`examples/next: next build took ${seconds.toFixed(1)} s`),
  );
  await nextBuilt;
  const edge = name === "next-edge";
  // Slow uploads are not sent to Edge, so it keeps the default read timeout: 2 s is too
  // short for a near-limit body through the Edge sandbox of a saturated `next start`.
  const readTimeoutMs = edge ? 10_000 : (settings.readTimeoutMs ?? READ_TIMEOUT_MS);
  const memory = memoryFile();
  // The Node routes log each attempt as pino JSON; pino needs Node, so the Edge route keeps
  // the default log (refusals only, on stderr).
  const env = { ...serverEnv(secret, memory, settings, readTimeoutMs), ...(edge ? {} : { COLIVARA_LOG: "json" }) };
  const server: RunningExample = await startExample(secret, env);
  const handled = new Map<string, number>();
  const records = new Map<string, string[]>();
  let counted = 0;
  // Lines are only ever appended: read the new ones.
  const readNewLines = () => {
    const lines = server.stdout.slice(counted);
    counted += lines.length;
    countVerified(lines, handled);
    collectRecords(lines, records);
  };
  return {
    name,
    url: `${server.url}${NEXT_PATHS[name]}`,
    pid: server.pid,
    memoryFile: memory,
    answersBeforeUpload: !edge,
    unsupported: edge ? EDGE_UNSUPPORTED : {},
    readTimeoutMs,
    flush: () => server.flush(),
    handled: () => {
      readNewLines();
      return handled;
    },
    records: edge
      ? undefined
      : () => {
          readNewLines();
          return records;
        },
    stderr: () => (edge ? withoutAbortLogs(server.stderr) : [...server.stderr]),
    exited: () => server.exited(),
    async stop() {
      await server.stop();
      rmSync(dirname(memory), { recursive: true, force: true });
    },
  };
}

export async function startTarget(name: TargetName, secret: string, settings: ServerSettings = {}): Promise<Target> {
  const target =
    name === "next-app" || name === "next-pages" || name === "next-edge"
      ? await startNextExample(name, secret, settings)
      : await startNodeExample(name, secret, settings);
  // The first request to a route loads its code; do it before anything is measured.
  await fetch(target.url, { method: "POST", body: "{}" }).then((r) => r.arrayBuffer());
  await sleep(10);
  return target;
}
