// Starts a README sample the way its reader would run it, and gives back one way to send it
// a delivery. A sample that listens (on 3000, as written) listens on a free 127.0.0.1 port
// instead; an exported route, Fetch handler or function is called directly.
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, Server as NetServer } from "node:net";
import { root, type Sample } from "./readme-samples.js";

/** How a sample is run; `undefined` for a sample that is only type-checked. */
export type SampleKind = "listens" | "local-app" | "next-app" | "next-pages" | "fetch-default" | "receive";

/** Reads what a sample is from its code. */
export function kindOf(sample: Sample): SampleKind | undefined {
  const { code } = sample;
  if (/\.listen\(|\bserve\(\{/.test(code)) return "listens";
  if (/^export const POST\b/m.test(code)) return "next-app";
  if (/^export default withColivaraWebhookPages\(/m.test(code)) return "next-pages";
  if (/^export default /m.test(code)) return "fetch-default";
  if (/^export async function receive\(/m.test(code)) return "receive";
  if (/^const app = (express|Fastify)\(\);/m.test(code)) return "local-app";
  return undefined;
}

/** Appended to a sample's file so the runner reaches a local `app` it never exported. */
export function epilogueOf(sample: Sample): string {
  return kindOf(sample) === "local-app" ? "\nexport { app as __sampleApp };\n" : "";
}

/** What a delivery got back. */
export interface Answer {
  status: number;
  body: string;
}

/** Sends one delivery (exact body and headers) to the started sample. */
export type Send = (delivery: { body: string; headers: Record<string, string> }) => Promise<Answer>;

/** A started sample. */
export interface StartedSample {
  send: Send;
  /** Whether the sample remembers handled deliveries (a bare verifier does not). */
  dedupes: boolean;
}

const servers: NetServer[] = [];

/**
 * While `body` runs, every `listen` listens on a free 127.0.0.1 port, and the server is kept
 * for {@link closeSampleServers}.
 */
async function capturingListen<T>(body: () => Promise<T>): Promise<T> {
  const original = NetServer.prototype.listen;
  NetServer.prototype.listen = function listen(this: NetServer, ...args: unknown[]) {
    servers.push(this);
    const callback = [...args].reverse().find((arg) => typeof arg === "function") as (() => void) | undefined;
    return original.call(this, { port: 0, host: "127.0.0.1" }, callback);
  } as typeof original;
  try {
    return await body();
  } finally {
    NetServer.prototype.listen = original;
  }
}

/** Closes every server a sample opened. */
export async function closeSampleServers(): Promise<void> {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          (server as Server).closeAllConnections?.();
          server.close(() => resolve());
        }),
    ),
  );
}

function overHttp(server: NetServer, path: string): Send {
  const { port } = server.address() as AddressInfo;
  return async ({ body, headers }) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body, headers });
    return { status: response.status, body: await response.text() };
  };
}

async function listening(server: NetServer): Promise<NetServer> {
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  return server;
}

/** The last server a sample started, once it listens. */
async function lastServer(): Promise<NetServer> {
  const server = servers.at(-1);
  if (!server) throw new Error("the sample started no server");
  return listening(server);
}

type Exports = Record<string, unknown>;
type FetchLike = (request: Request, env?: unknown) => Response | Promise<Response>;

const PATH = "/webhooks/colivara";
const request = (body: string, headers: Record<string, string>) =>
  new Request(`http://127.0.0.1${PATH}`, { method: "POST", body, headers });

/** Serves a pages/api handler through Next's own API resolver, as `next start` does. */
async function servePages(handler: unknown, config: unknown): Promise<NetServer> {
  const requireFromNext = createRequire(`${root}packages/next/package.json`);
  const { apiResolver } = requireFromNext("next/dist/server/api-utils/node/api-resolver.js") as {
    apiResolver: (...args: unknown[]) => Promise<void>;
  };
  const preview = { previewModeId: "x", previewModeEncryptionKey: "x", previewModeSigningKey: "x" };
  return capturingListen(async () => {
    const server = createServer((req, res) => {
      void apiResolver(req, res, {}, { default: handler, config }, { ...preview, dev: false }, false, false, PATH);
    });
    server.listen(0);
    return listening(server);
  });
}

/**
 * Imports the sample's file (after `env` is in place) and starts it. `workerEnv` is what a
 * Cloudflare Worker would get as its bindings.
 */
export async function startSample(sample: Sample, file: string, workerEnv: object): Promise<StartedSample> {
  const kind = kindOf(sample);
  const exports = (await capturingListen(() => import(file))) as Exports;
  switch (kind) {
    case "listens":
      return { send: overHttp(await lastServer(), PATH), dedupes: true };
    case "local-app": {
      const app = exports.__sampleApp as { inject?: unknown; listen: (...args: unknown[]) => unknown };
      await capturingListen(async () => {
        if (app.inject) await app.listen({ port: 0 });
        else app.listen(0);
      });
      return { send: overHttp(await lastServer(), PATH), dedupes: true };
    }
    case "next-app": {
      const POST = exports.POST as FetchLike;
      return { send: async ({ body, headers }) => answerOf(await POST(request(body, headers))), dedupes: true };
    }
    case "next-pages":
      return { send: overHttp(await servePages(exports.default, exports.config), PATH), dedupes: true };
    case "fetch-default": {
      const target = exports.default as { fetch: FetchLike };
      return {
        send: async ({ body, headers }) => answerOf(await target.fetch(request(body, headers), workerEnv)),
        dedupes: true,
      };
    }
    case "receive": {
      const receive = exports.receive as (body: Uint8Array, headers: Headers) => Promise<number>;
      return {
        send: async ({ body, headers }) => ({
          status: await receive(new TextEncoder().encode(body), new Headers(headers)),
          body: "",
        }),
        dedupes: false,
      };
    }
    default:
      throw new Error(`${sample.readme}#${sample.index} is not a runnable sample`);
  }
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, body: await response.text() };
}
