// requireHttps decides from the connection, never from the scheme of a URL the runtime built
// from the request target. Over a raw TCP socket to a plain-HTTP listener, a client writes
// `POST https://host/webhooks/colivara HTTP/1.1`: @hono/node-server and Deno.serve then hand
// the handler an https:// URL, Bun.serve does not (its URL comes from the listener). Each
// runtime serves the built Fetch handler and Hono middleware (`pnpm build` first).
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { newSecret, signIndependently } from "../support/independent-signer.js";
import { runtimeBinary } from "./runtime-binaries.js";

const script = fileURLToPath(new URL("./absolute-target-server.mjs", import.meta.url));
const runtimes = {
  node: [process.execPath, script],
  deno: [runtimeBinary("deno"), "run", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", script],
  bun: [runtimeBinary("bun"), "run", script],
} as const;
type Runtime = keyof typeof runtimes;

const secret = newSecret();
const children: ChildProcess[] = [];
afterEach(() => {
  // The .bin wrappers start the runtime as their own child: end the whole group.
  for (const child of children.splice(0)) if (child.exitCode === null) process.kill(-(child.pid as number));
});

interface Served {
  port?: number;
  error?: string;
  records: Record<string, unknown>[];
}

/** Starts the endpoint; resolves with its port, or with the error it refused to start with. */
function start(runtime: Runtime, kind: "fetch" | "hono", options: object): Promise<Served> {
  const [command, ...args] = runtimes[runtime];
  const child = spawn(command, [...args, kind, JSON.stringify({ secret, requireHttps: true, ...options })], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.push(child);
  const served: Served = { records: [] };
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${runtime} exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const message = JSON.parse(line) as { port?: number; error?: string; record?: Record<string, unknown> };
      if (message.record !== undefined) served.records.push(message.record);
      else resolve(Object.assign(served, message));
    });
  });
}

/** A signed delivery over a raw socket, its request target in absolute form. */
function sendAbsolute(port: number, extra = ""): Promise<number> {
  const body = JSON.stringify({ type: "unknown.event", n: 1 });
  const { headers } = signIndependently(secret, body);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const head =
    `POST https://127.0.0.1:${port}/webhooks/colivara HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `${lines.join("")}${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(head + body));
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])));
  });
}

const NODE_FETCH = /On Node, the Request a Fetch handler gets carries no connection fact/;
const DENO = /Deno\.serve takes request\.url's scheme from the request target/;

describe.each([
  ["node", "fetch", NODE_FETCH],
  ["deno", "fetch", DENO],
  ["deno", "hono", DENO],
] as const)("%s, %s: no connection fact", (runtime, kind, reason) => {
  it("refuses requireHttps without trustProxy at start-up, naming why and what to set", async () => {
    const { error } = await start(runtime, kind, {});
    expect(error).toMatch(reason);
    expect(error).toMatch(/set trustProxy to its hop count/);
  });
});

describe.each([
  ["node", "hono"],
  ["bun", "fetch"],
  ["bun", "hono"],
] as const)("%s, %s: the connection decides", (runtime, kind) => {
  it("refuses an https:// request target sent over plain HTTP, without trustProxy", async () => {
    const { port, error } = await start(runtime, kind, {});
    expect(error).toBeUndefined();
    expect(await sendAbsolute(port as number)).toBe(403);
  });
});

// The peer the record names: the socket (Hono on Node), Deno's info, Bun's requestIP; a
// Fetch handler on Node is handed no socket.
describe.each([
  ["node", "fetch", undefined],
  ["node", "hono", "127.0.0.1"],
  ["deno", "fetch", "127.0.0.1"],
  ["deno", "hono", "127.0.0.1"],
  ["bun", "fetch", "127.0.0.1"],
  ["bun", "hono", "127.0.0.1"],
] as const)("%s, %s with trustProxy", (runtime, kind, peer) => {
  it("refuses an https:// request target sent over plain HTTP: only the proxy's header counts", async () => {
    const served = await start(runtime, kind, { trustProxy: true });
    expect(await sendAbsolute(served.port as number)).toBe(403);
    // The record reaches the child's stdout after the answer left: wait for the line.
    await eventually(() => expect(served.records).toMatchObject([{ code: "https_required" }]));
    expect(served.records[0]?.remoteAddress).toBe(peer);
  });

  it("accepts the same request when the trusted proxy says https", async () => {
    const { port } = await start(runtime, kind, { trustProxy: true });
    expect(await sendAbsolute(port as number, "X-Forwarded-Proto: https\r\n")).toBe(204);
  });
});
