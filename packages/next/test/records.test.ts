// The delivery records of the App Router and Pages Router wrappers, served in-process by a
// plain Node server (the built example covers the rest of the conformance suite).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextApiRequest, NextApiResponse } from "next";
import { createHandledLog } from "../../../test/conformance/handled-log.js";
import { runRecordSuite } from "../../../test/conformance/records.js";
import type { ConformanceApp } from "../../../test/conformance/suite.js";
import { withColivaraWebhook, withColivaraWebhookPages } from "../src/index.js";

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** An App Router handler behind a Node server; like `next start`, it sets x-forwarded-for. */
function appRoute(handler: (request: Request) => Promise<Response>): Route {
  return async (req, res) => {
    const headers = new Headers(req.headers as Record<string, string>);
    headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
    const body = await readAll(req);
    const response = await handler(
      new Request(`http://${req.headers.host}${req.url}`, { method: "POST", headers, body: new Uint8Array(body) }),
    );
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

async function serve(
  routes: Record<string, Route>,
  records: ConformanceApp["records"],
  handled: ConformanceApp["handled"],
) {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ""];
    if (route) void route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    // The record suite sends nothing to the metadata route (the example app covers it).
    paths: { verify: "/verify", handlers: "/handlers", json: "/json", health: "/health", metadata: "/metadata" },
    handled,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies ConformanceApp;
}

runRecordSuite({
  name: "next App Router",
  async start({ secret }) {
    const { record, handled, on, log, records } = createHandledLog();
    // trustProxy: the x-forwarded-for above is the platform's, as on Vercel.
    const options = { secret, log, trustProxy: true };
    const verify = withColivaraWebhook(async (webhook) => {
      record("verify", webhook);
      return Response.json({ id: webhook.id, type: webhook.event.type });
    }, options);
    const handlers = withColivaraWebhook({ ...options, on, onError: () => {} });
    return serve({ "/verify": appRoute(verify), "/handlers": appRoute(handlers) }, records, handled);
  },
});

runRecordSuite({
  name: "next Pages Router",
  async start({ secret }) {
    const { record, handled, on, log, records } = createHandledLog();
    const verify = withColivaraWebhookPages(
      async (webhook, _req, res) => {
        record("verify", webhook);
        res.setHeader("content-type", "application/json");
        res.statusCode = 200;
        res.end(JSON.stringify({ id: webhook.id, type: webhook.event.type }));
      },
      { secret, log },
    );
    const handlers = withColivaraWebhookPages({ secret, log, on, onError: () => {} });
    const pages =
      (route: typeof verify): Route =>
      (req, res) =>
        route(req as NextApiRequest, res as unknown as NextApiResponse);
    return serve({ "/verify": pages(verify), "/handlers": pages(handlers) }, records, handled);
  },
});
