// A copy of examples/next built and started with another Next.js major (the version matrix):
// the example's sources are copied into a temporary directory whose node_modules links to a
// fixture project (test/matrix/<name>/) that installs that major side by side with the
// example's own. Verified deliveries are read back from the app's log, as in test/e2e.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const exampleDir = fileURLToPath(new URL("../../examples/next/", import.meta.url));
const COPIED = ["app", "pages", "lib", "next.config.ts", "tsconfig.json"];

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
  summary: string;
}

export interface RunningApp {
  url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  /** The verified-event lines logged so far (after a log marker round trip). */
  verified(): Promise<VerifiedLine[]>;
  stop(): Promise<void>;
}

export interface MatrixNextApp {
  dir: string;
  /** The Next.js version the fixture installed, from its package.json. */
  version: string;
  build(): Promise<{ seconds: number }>;
  start(secret: string | undefined): Promise<RunningApp>;
  remove(): Promise<void>;
}

function childEnv(secret: string | undefined): NodeJS.ProcessEnv {
  // Vitest runs with NODE_ENV=test; Next must see a production build and server.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.COLIVARA_WEBHOOK_SECRET;
  if (secret !== undefined) env.COLIVARA_WEBHOOK_SECRET = secret;
  return env;
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop() as string;
    into.push(...parts);
  });
}

async function waitFor(check: () => boolean, what: string, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (child.exitCode !== null)
      throw new Error(`next exited with ${child.exitCode} before ${what}:\n${log.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within 60 s:\n${log.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Copies examples/next next to the Next.js installed by test/matrix/<fixture>/. */
export async function prepareNextApp(fixture: string): Promise<MatrixNextApp> {
  const fixtureModules = fileURLToPath(new URL(`./${fixture}/node_modules/`, import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), `colivara-${fixture}-`));
  for (const entry of COPIED) await cp(join(exampleDir, entry), join(dir, entry), { recursive: true });
  await symlink(fixtureModules, join(dir, "node_modules"), "dir");
  const nextBin = join(dir, "node_modules/next/dist/bin/next");
  const version = (createRequire(join(dir, "package.json"))("next/package.json") as { version: string }).version;

  const build = async () => {
    const started = performance.now();
    // Next's own type-check pass is skipped, as in test/e2e: `pnpm typecheck` covers the example.
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: dir,
      env: { ...childEnv(undefined), COLIVARA_EXAMPLE_SKIP_TYPECHECK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    collectLines(child.stdout, output);
    collectLines(child.stderr, output);
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`next ${version} build failed (exit ${code}):\n${output.join("\n")}`);
    return { seconds: (performance.now() - started) / 1000 };
  };

  const start = async (secret: string | undefined): Promise<RunningApp> => {
    const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", "0"], {
      cwd: dir,
      env: childEnv(secret),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    collectLines(child.stdout as NodeJS.ReadableStream, stdout);
    collectLines(child.stderr as NodeJS.ReadableStream, stderr);
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    };
    // `-p 0`: the real port is the one `next start` prints.
    const local = () => /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.join("\n"))?.[1];
    try {
      await waitFor(() => local() !== undefined && /Ready in/.test(stdout.join("\n")), "Ready", child, stdout);
    } catch (error) {
      await stop();
      throw error;
    }
    const url = local() as string;

    // The app logs each line before it answers; a marker logged by a later request comes
    // after every line of the requests already answered.
    const verified = async () => {
      const mark = randomBytes(8).toString("hex");
      const response = await fetch(`${url}/api/health?mark=${mark}`);
      await response.arrayBuffer();
      const line = JSON.stringify({ mark });
      await waitFor(() => stdout.includes(line), "log marker", child, stdout);
      return stdout
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as VerifiedLine | { mark: string })
        .filter((l): l is VerifiedLine => "verified" in l);
    };
    return { url, stdout, stderr, verified, stop };
  };

  return { dir, version, build, start, remove: () => rm(dir, { recursive: true, force: true }) };
}
