// Shared by the CLI end-to-end tests: run the built CLI as a subprocess, start the Express
// example as its own process, and small real HTTP servers (a naive endpoint, a stand-in API).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));
export const cliPath: string = fileURLToPath(new URL("../../packages/cli/dist/cli.mjs", import.meta.url));
const exampleDir = fileURLToPath(new URL("../../examples/express/", import.meta.url));

export const EXIT = { ok: 0, verdict: 1, usage: 2, network: 3, api: 4 } as const;

/** The environment without anything that would change the CLI's behaviour. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ["COLIVARA_WEBHOOK_SECRET", "COLIVARA_API_KEY", "NO_COLOR", "FORCE_COLOR", "CI", "TERM"]) {
    delete env[name];
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node packages/cli/dist/cli.mjs ...args` to completion; `input`, when given, is its standard input. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: cleanEnv(env),
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    // A CLI that stops reading early (an input over its limit) closes the pipe under us.
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running subprocess whose output is collected as it arrives. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

export function startProcess(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            child.stdout?.off("data", check);
            child.off("exit", exited);
            resolve(match);
          }
        };
        const exited = (code: number | null) =>
          reject(new Error(`process exited (${code}) before printing ${pattern}\n${stdout}\n${stderr}`));
        child.stdout?.on("data", check);
        child.once("exit", exited);
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export interface ExampleServer {
  /** The webhook URL, http://127.0.0.1:<port>/webhooks/colivara. */
  url: string;
  /** The JSON lines the example logged, one per verified event. */
  logged(): Array<{ verified: boolean; id: string; type: string; summary: string }>;
  stop(): Promise<number | null>;
}

/** Starts examples/express/server.js as its own process, as a user would. */
export async function startExample(secret: string): Promise<ExampleServer> {
  const running = startProcess(["server.js"], {
    cwd: exampleDir,
    env: cleanEnv({ COLIVARA_WEBHOOK_SECRET: secret, PORT: "0", HOST: "127.0.0.1" }),
  });
  const [, url] = await running.waitFor(/listening on (http:\/\/[\d.:]+\/webhooks\/colivara)/);
  return {
    url: url as string,
    logged: () =>
      running
        .stdout()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line)),
    stop: running.stop,
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestServer {
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1 that records each request and answers with `reply`. */
export async function startServer(reply: (request: RecordedRequest, res: ServerResponse) => void): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(recorded);
      reply(recorded, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Strips ANSI colour codes. */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point.
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
