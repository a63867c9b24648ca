import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryReport } from "./delivery-report.js";
import { INSPECTOR_CSS, INSPECTOR_HTML } from "./inspector-page.js";
import { INSPECTOR_SCRIPT } from "./inspector-script.js";
import type { ListenerContext } from "./listen.js";
import { replayDelivery } from "./replay.js";

/** Where the inspector lives on the listener. */
export const INSPECTOR_PATH = "/inspector";

/** Same-origin only, no inline code: what the page renders cannot run. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A custom header a cross-site page cannot send without a preflight the listener never allows. */
export const REPLAY_HEADER = "x-colivara-inspector";

function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  });
  res.end(body);
}

/** Only this listener's own address reaches the inspector: no DNS rebinding from a web page. */
function isLocalHost(req: IncomingMessage, origin: string): boolean {
  const port = new URL(origin).port;
  return req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
}

function streamEvents(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  const { options } = ctx;
  const hello = {
    url: `${ctx.origin}${options.path ?? "/webhooks/colivara"}`,
    anyPath: options.path === undefined,
    secrets: options.secret.length,
    forwardTo: options.forwardTo?.href,
    status: options.status,
  };
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
  const push = (report: DeliveryReport) => res.write(`event: delivery\ndata: ${JSON.stringify(report)}\n\n`);
  for (const report of ctx.log.reports) push(report);
  const stop = ctx.log.subscribe(push);
  req.once("close", stop);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length > 10_000) return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function replayRoute(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): Promise<void> {
  const json = (status: number, value: unknown) => sendText(res, status, "application/json", JSON.stringify(value));
  if (req.headers[REPLAY_HEADER] !== "replay") return json(403, { error: "missing the inspector's header" });
  const input = (await readJson(req)) as { seq?: unknown; mode?: unknown } | undefined;
  const mode = input?.mode;
  if (typeof input?.seq !== "number" || (mode !== "resign" && mode !== "as-is")) {
    return json(400, { error: 'expected {"seq": number, "mode": "resign" | "as-is"}' });
  }
  const status = await replayDelivery(ctx, input.seq, mode);
  if (status === undefined) return json(404, { error: `delivery ${input.seq} is no longer kept` });
  json(200, { status });
}

/**
 * Serves the inspector (page, script, style, live events, replay) when the request is for
 * it, and tells whether it was. Every other request is a delivery.
 *
 * @example
 * ```ts
 * if (handleInspector(req, res, ctx)) return;
 * ```
 */
export function handleInspector(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): boolean {
  const path = (req.url ?? "/").split("?")[0] as string;
  if (req.method === "GET" && path === "/favicon.ico") {
    res.writeHead(204).end();
    return true;
  }
  if (path !== INSPECTOR_PATH && !path.startsWith(`${INSPECTOR_PATH}/`)) return false;
  if (!isLocalHost(req, ctx.origin)) {
    sendText(res, 403, "text/plain", "The inspector answers on 127.0.0.1 or localhost only.");
    return true;
  }
  const route = `${req.method} ${path}`;
  if (route === `GET ${INSPECTOR_PATH}` || route === `GET ${INSPECTOR_PATH}/`) {
    sendText(res, 200, "text/html", INSPECTOR_HTML);
  } else if (route === `GET ${INSPECTOR_PATH}/app.js`) {
    sendText(res, 200, "text/javascript", INSPECTOR_SCRIPT);
  } else if (route === `GET ${INSPECTOR_PATH}/app.css`) {
    sendText(res, 200, "text/css", INSPECTOR_CSS);
  } else if (route === `GET ${INSPECTOR_PATH}/events`) {
    streamEvents(req, res, ctx);
  } else if (route === `POST ${INSPECTOR_PATH}/replay`) {
    replayRoute(req, res, ctx).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 502, "application/json", JSON.stringify({ error: String(error) }));
    });
  } else {
    sendText(res, 404, "text/plain", "Not found.");
  }
  return true;
}
