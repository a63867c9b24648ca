import {
  checkHttpsDecidable,
  currentRuntime,
  type FetchRuntime,
  peerOf,
  type ResolvedOptions,
  urlSchemeIsConnection,
} from "@colivara/webhooks/adapter";
import type { Context } from "hono";

type NodeSocket = { encrypted?: boolean; remoteAddress?: string };

/** The Node socket under @hono/node-server (`c.env.incoming`); absent on Bun, Deno and Workers. */
function nodeSocket(c: Context): NodeSocket | undefined {
  return (c.env as { incoming?: { socket?: NodeSocket } } | undefined)?.incoming?.socket;
}

/**
 * The connection's TLS: the socket under @hono/node-server, Bun's URL (built from the
 * listener). Never the URL elsewhere: @hono/node-server and Deno.serve take its scheme from
 * an absolute request target (`POST https://host/path HTTP/1.1`), which any client writes.
 */
export function arrivedOverTls(c: Context, runtime: FetchRuntime): boolean {
  const socket = nodeSocket(c);
  if (socket !== undefined) return socket.encrypted === true;
  return urlSchemeIsConnection(runtime) && c.req.url.startsWith("https:");
}

/** The peer: the Node socket's, Deno's `info.remoteAddr`, Bun's `server.requestIP()` (all `c.env`). */
export function peerAddress(c: Context, runtime: FetchRuntime): string | undefined {
  return nodeSocket(c)?.remoteAddress ?? peerOf(runtime, c.req.raw, c.env);
}

/** Deno and Workers give no TLS fact: `requireHttps` then needs `trustProxy` (on Node, the socket may). */
export function checkRuntime({ requireHttps, trustProxy }: ResolvedOptions): FetchRuntime {
  const runtime = currentRuntime();
  if (runtime !== "node") checkHttpsDecidable({ requireHttps, trust: trustProxy, runtime, where: "colivaraWebhook()" });
  return runtime;
}
