// One trusted proxy in front of each adapter, over real HTTP: a real proxy that appends what
// it saw to X-Forwarded-For and X-Forwarded-Proto, as load balancers do, and a client on
// 127.0.0.2 that prepends forged ones (`X-Forwarded-For: 1.2.3.4`, `X-Forwarded-Proto:
// https`) over plain HTTP. requireHttps must refuse it and the record must name the real
// client; the proxy's own `https` must pass. Each framework says "one proxy" its own way.

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { DeliveryRecord } from "@colivara/webhooks";
import { createWebhookHandler } from "@colivara/webhooks";
import { verifyColivara } from "@colivara/webhooks-express";
import colivaraWebhooks from "@colivara/webhooks-fastify";
import { colivaraWebhook } from "@colivara/webhooks-hono";
import { withColivaraWebhook, withColivaraWebhookPages } from "@colivara/webhooks-next";
import { serve } from "@hono/node-server";
import express5 from "express";
import fastify5 from "fastify";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret, signIndependently } from "../support/independent-signer.js";

// Express 4 and Fastify 4 are the adapters' own dev dependencies.
const express4 = createRequire(new URL("../../packages/express/package.json", import.meta.url))("express4");
const fastify4 = createRequire(new URL("../../packages/fastify/package.json", import.meta.url))("fastify4");
const secret = newSecret();
const CLIENT = "127.0.0.2";
const FORGED = { "x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https" };
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A logger that keeps every record it is given. */
function keeping(records: DeliveryRecord[]) {
  const keep = (fields: object) => void records.push(fields as DeliveryRecord);
  return { info: keep, warn: keep, error: keep };
}

async function listening(server: Server): Promise<number> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** A proxy that appends the peer it saw and the scheme it was reached by, then forwards. */
async function appendingProxy(targetPort: number, scheme: "http" | "https"): Promise<number> {
  const proxy = createServer((req, res) => {
    const headers = { ...req.headers };
    const append = (name: string, value: string) => {
      const before = headers[name];
      headers[name] = before ? `${before}, ${value}` : value;
    };
    append("x-forwarded-for", req.socket.remoteAddress ?? "");
    append("x-forwarded-proto", scheme);
    const upstream = request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers });
    upstream.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  return listening(proxy);
}

/** POSTs a signed delivery from 127.0.0.2 with the given extra headers. */
function post(port: number, extra: Record<string, string>): Promise<{ status: number; body: string }> {
  const { body, headers } = signIndependently(secret, JSON.stringify({ type: "unknown.event", n: 1 }));
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: "127.0.0.1",
        port,
        localAddress: CLIENT,
        method: "POST",
        path: "/hook",
        headers: { ...headers, ...extra },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

type Start = (records: DeliveryRecord[]) => Promise<number>;

const log = (records: DeliveryRecord[]) => ({ secret, requireHttps: true, log: keeping(records) });

function expressApp(express: typeof express5): Start {
  return async (records) => {
    const app = express();
    app.set("trust proxy", 1);
    app.post("/hook", verifyColivara(log(records)), (_req, res) => void res.sendStatus(204));
    return listening(app.listen(0, "127.0.0.1"));
  };
}

function fastifyApp(fastify: typeof fastify5): Start {
  return async (records) => {
    // Fastify 5 refuses hop counts (they cannot check the peer): the proxy's address.
    const app = fastify({ trustProxy: "127.0.0.1" });
    await app.register(colivaraWebhooks, log(records));
    app.post("/hook", { config: { colivara: true } }, async (_request, reply) => reply.code(204).send());
    await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    return (app.server.address() as AddressInfo).port;
  };
}

function honoApp(trustProxy: number | string): Start {
  return async (records) => {
    const app = new Hono();
    app.post("/hook", colivaraWebhook({ ...log(records), trustProxy }), (c) => c.body(null, 204));
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server));
    });
    return listening(server);
  };
}

const fetchHandler: Start = async (records) => {
  const handler = createWebhookHandler(() => undefined, { ...log(records), trustProxy: 1 });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server));
  });
  return listening(server);
};

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An App Router route behind a Node server that sets what `next start` sets (Next's
 * base-server: `x-forwarded-for ??= socket address`, `x-forwarded-proto ??= scheme`), and
 * builds the URL's scheme as Next does: https when x-forwarded-proto mentions it.
 */
const nextAppRouter: Start = async (records) => {
  const route = withColivaraWebhook(() => undefined, { ...log(records), trustProxy: 1 });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers(req.headers as Record<string, string>);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
    if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
    const scheme = headers.get("x-forwarded-proto")?.includes("https") ? "https" : "http";
    const body = await readAll(req);
    const response = await route(
      new Request(`${scheme}://${req.headers.host}${req.url}`, { method: "POST", headers, body: new Uint8Array(body) }),
    );
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return listening(server);
};

const nextPagesRouter: Start = async (records) => {
  const route = withColivaraWebhookPages(() => undefined, { ...log(records), trustProxy: 1 });
  return listening(createServer((req, res) => void route(req as never, res as never)));
};

describe.each([
  ["express 5", expressApp(express5)],
  ["express 4", expressApp(express4 as typeof express5)],
  ["fastify 5", fastifyApp(fastify5)],
  ["fastify 4", fastifyApp(fastify4 as typeof fastify5)],
  ["hono (node-server), trustProxy: 1", honoApp(1)],
  ['hono (node-server), trustProxy: "127.0.0.1"', honoApp("127.0.0.1")],
  ["createWebhookHandler (node-server)", fetchHandler],
  ["next App Router", nextAppRouter],
  ["next Pages Router", nextPagesRouter],
])("%s behind one trusted proxy", (_name, start) => {
  it("refuses a forged X-Forwarded-Proto over plain HTTP and records the real client, not the forged one", async () => {
    const records: DeliveryRecord[] = [];
    const proxy = await appendingProxy(await start(records), "http");
    const answer = await post(proxy, FORGED);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe("https_required");
    expect(records.map((record) => record.remoteAddress)).toEqual([CLIENT]);
  });

  it("accepts what the proxy says when it was reached over HTTPS, recording the real client", async () => {
    const records: DeliveryRecord[] = [];
    const proxy = await appendingProxy(await start(records), "https");
    expect((await post(proxy, FORGED)).status).toBe(204);
    expect(records.map((record) => record.remoteAddress)).toEqual([CLIENT]);
  });
});

describe.each([
  ["fastify 5", fastifyApp(fastify5)],
  ["fastify 4", fastifyApp(fastify4 as typeof fastify5)],
  ['hono (node-server), trustProxy: "127.0.0.1"', honoApp("127.0.0.1")],
])("%s trusting the proxy's address", (_name, start) => {
  it("believes no forwarding header from a client that is not the listed proxy", async () => {
    const records: DeliveryRecord[] = [];
    const direct = await start(records);
    expect((await post(direct, FORGED)).status).toBe(403);
    expect(records.map((record) => record.remoteAddress)).toEqual([CLIENT]);
  });
});
