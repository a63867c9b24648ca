import type { IncomingMessage, ServerResponse } from "node:http";
import { PAGE_SIZE } from "./delivery-log.js";
import type { DeliveryReport } from "./delivery-report.js";
import { passOnHeaders } from "./forward.js";
import { type AssetName, inspectorAsset, isAssetName } from "./inspector-assets.js";
import type { HistoryPage, InspectorHello, ReplayAnswer, SavedDelivery } from "./inspector-protocol.js";
import type { ListenerContext } from "./listener-context.js";
import { replayDelivery } from "./replay.js";
import { isAllowed } from "./request-guard.js";
import { pathOf } from "./request-target.js";
import { isCredential } from "./shown-headers.js";

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

/** Unsent bytes an event-stream client may fall behind by before it is dropped (it reconnects and gets a page). */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

function streamEvents(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  const { options } = ctx;
  const hello: InspectorHello = {
    origin: ctx.origin,
    url: `${ctx.origin}${options.path ?? "/webhooks/colivara"}`,
    anyPath: options.path === undefined,
    secrets: options.secret.length,
    kept: ctx.log.reports.length,
    oldest: ctx.log.reports[0]?.seq,
    forwardTo: options.forwardTo?.href,
    status: options.status,
  };
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
  const push = (report: DeliveryReport) => {
    if (res.writableLength > MAX_BACKLOG_BYTES) return res.destroy();
    res.write(`event: delivery\ndata: ${JSON.stringify(report)}\n\n`);
  };
  // The newest page only: older deliveries are asked for (GET /inspector/history?before=).
  for (const report of ctx.log.page(undefined)) push(report);
  const stop = ctx.log.subscribe(push);
  req.once("close", stop);
}

/** A kept delivery as a file `verify` reads: its headers (full signatures, no credentials, no hop-by-hop) and body. */
function savedDelivery(res: ServerResponse, ctx: ListenerContext, seq: number): void {
  const raw = ctx.log.raw(seq);
  if (raw === undefined) {
    sendText(res, 404, "application/json", JSON.stringify({ error: `delivery ${seq} is no longer kept` }));
    return;
  }
  const saved: SavedDelivery = { headers: {}, body: Buffer.from(raw.body).toString("utf8") };
  passOnHeaders(raw.headers).forEach((value, name) => {
    if (!isCredential(name)) saved.headers[name] = value;
  });
  sendText(res, 200, "application/json", JSON.stringify(saved, null, 2));
}

function history(res: ServerResponse, ctx: ListenerContext, query: URLSearchParams): void {
  const before = Number(query.get("before"));
  const deliveries = ctx.log.page(Number.isSafeInteger(before) && before > 0 ? before : undefined, PAGE_SIZE);
  const first = deliveries[0]?.seq;
  const more = first !== undefined && (ctx.log.reports[0]?.seq ?? first) < first;
  const page: HistoryPage = { deliveries, more };
  sendText(res, 200, "application/json", JSON.stringify(page));
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
  const result = await replayDelivery(ctx, input.seq, mode);
  if (result === undefined) return json(404, { error: `delivery ${input.seq} is no longer kept` });
  const { report } = result;
  const answer: ReplayAnswer = {
    status: result.status,
    ...(report && {
      seq: report.seq,
      verdict: report.verdict,
      code: report.error?.code,
      durationMs: report.durationMs,
    }),
  };
  json(200, answer);
}

function serveAsset(res: ServerResponse, name: AssetName): void {
  inspectorAsset(name).then(
    (asset) => sendText(res, 200, asset.type, asset.text),
    (error: Error) => sendText(res, 500, "text/plain", error.message),
  );
}

/** Answers a request for `/inspector/<rest>` ("" for the page itself) from the listener's own page. */
function route(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext, rest: string, query: URLSearchParams) {
  const get = req.method === "GET";
  if (get && isAssetName(rest)) {
    serveAsset(res, rest);
  } else if (get && rest === "events") {
    streamEvents(req, res, ctx);
  } else if (get && rest === "history") {
    history(res, ctx, query);
  } else if (get && /^delivery\/\d+$/.test(rest)) {
    savedDelivery(res, ctx, Number(rest.slice("delivery/".length)));
  } else if (req.method === "POST" && rest === "replay") {
    replayRoute(req, res, ctx).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 502, "application/json", JSON.stringify({ error: String(error) }));
    });
  } else {
    sendText(res, 404, "text/plain", "Not found.");
  }
}

/**
 * Serves the inspector (page, script, style, live events, history, saved deliveries,
 * replay) and the favicon when the request is for them, and tells whether it was. Every
 * other request is a delivery. Only the listener's own Host and Origin are answered.
 *
 * @example
 * ```ts
 * if (handleInspector(req, res, ctx)) return;
 * ```
 */
export function handleInspector(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): boolean {
  const path = pathOf(req.url ?? "/");
  const favicon = path === "/favicon.ico";
  if (!favicon && path !== INSPECTOR_PATH && !path.startsWith(`${INSPECTOR_PATH}/`)) return false;
  if (!isAllowed(req, ctx.origin, { inspector: true })) {
    const message = "The inspector answers on 127.0.0.1 or localhost only (Host and Origin are checked).";
    sendText(res, 403, "text/plain", message);
  } else if (favicon) {
    res.writeHead(req.method === "GET" ? 204 : 404).end();
  } else {
    const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    route(req, res, ctx, path.slice(INSPECTOR_PATH.length + 1), query);
  }
  return true;
}
