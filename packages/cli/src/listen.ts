import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createWebhookHandler, type VerifiedWebhook } from "@colivara/webhooks";
import { DeliveryLog } from "./delivery-log.js";
import type { AppAnswer } from "./delivery-report.js";
import { CliError } from "./errors.js";
import { bodyBytes, forwardDelivery } from "./forward.js";
import { handleInspector, INSPECTOR_PATH } from "./inspector-routes.js";
import type { Answer, ListenerContext, ListenOptions } from "./listener-context.js";
import { readRequest } from "./read-request.js";
import { reportOf } from "./report-of.js";
import { isAllowed } from "./request-guard.js";
import { secretMatcher } from "./secret-match.js";

export type { DeliveryReport, ReplayMode } from "./delivery-report.js";
export type { ListenOptions } from "./listener-context.js";

/** The only interface the listener binds: deliveries and the inspector stay on this machine. */
export const LISTEN_HOST = "127.0.0.1";

/**
 * A running listener.
 *
 * @example
 * ```ts
 * const listener: Listener = await startListener(options);
 * await listener.close();
 * ```
 */
export interface Listener {
  /** `http://127.0.0.1:port`. */
  origin: string;
  /** Where to send deliveries: the origin and the path (`/webhooks/colivara` when any path is accepted). */
  url: string;
  /** The inspector page. */
  inspectorUrl: string;
  /** The session's deliveries, oldest dropped first (bounded in count and bytes). */
  log: DeliveryLog;
  close(): Promise<void>;
}

function verifierFor(options: ListenOptions, origin: () => string): ListenerContext["verify"] {
  const verified = new WeakMap<Request, VerifiedWebhook>();
  const handle = createWebhookHandler(
    (webhook, request) => {
      verified.set(request, webhook);
      return Response.json({ received: true, id: webhook.id, type: webhook.event.type });
    },
    // The handler never throws; anything unexpected is reported as a rejected request. The
    // inspector is the delivery log here: the default stderr lines would only repeat it.
    { secret: [...options.secret], onError: () => {}, log: false },
  );
  return async (received) => {
    const init: RequestInit = { method: received.method, headers: received.headers.map(([n, v]) => [n, v]) };
    if (received.method !== "GET" && received.method !== "HEAD") init.body = bodyBytes(received.body);
    const request = new Request(new URL(received.path, origin()), init);
    const response = await handle(request);
    const body = new Uint8Array(await response.arrayBuffer());
    const answer = { status: response.status, contentType: response.headers.get("content-type") ?? undefined, body };
    const webhook = verified.get(request);
    return webhook ? { answer, webhook } : { answer };
  };
}

function jsonAnswer(status: number, value: unknown): Answer {
  return { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(value) };
}

function answerFromApp(app: AppAnswer): Answer {
  if (app.status === undefined) {
    return jsonAnswer(502, { error: { code: "forward_failed", message: app.error ?? "The app did not answer." } });
  }
  return { status: app.status, contentType: app.contentType, body: app.body ?? "" };
}

function send(res: ServerResponse, answer: Answer): void {
  res.statusCode = answer.status;
  if (answer.contentType !== undefined) res.setHeader("content-type", answer.contentType);
  res.end(answer.body);
}

async function handleDelivery(req: IncomingMessage, res: ServerResponse, ctx: ListenerContext): Promise<void> {
  const received = await readRequest(req);
  const { options } = ctx;
  const elsewhere = options.path !== undefined && received.path !== options.path;
  const { answer: verdictAnswer, webhook } = elsewhere
    ? { answer: notFound(options.path ?? ""), webhook: undefined }
    : await ctx.verify(received);
  let answer = verdictAnswer;
  let app: AppAnswer | undefined;
  if (elsewhere || received.method !== "POST") {
    // Not a delivery: answered by the listener itself, never passed on.
  } else if (options.status !== undefined) {
    answer = jsonAnswer(options.status, { status: options.status, answeredBy: "colivara-webhooks listen --status" });
  } else if (options.forwardTo !== undefined) {
    app = await forwardDelivery(
      options.forwardTo,
      received.headers,
      received.body,
      options.forwardTimeoutSeconds ?? 15,
    );
    answer = answerFromApp(app);
  }
  send(res, answer);
  const report = await reportOf(ctx, received, { verdict: verdictAnswer, answer, webhook, app });
  const raw = { path: received.path, headers: received.headers, body: received.body };
  ctx.log.add(report, raw);
  options.onDelivery(report, raw);
}

/** A request from a web page (another Origin) or, for anything but a POST, another Host: no verdict, no forward, no record. */
function refuse(res: ServerResponse): void {
  const message = "The listener answers web pages on 127.0.0.1 or localhost only (Host and Origin are checked).";
  send(res, jsonAnswer(403, { error: { code: "forbidden", message } }));
}

function notFound(path: string): Answer {
  const message = `This listener only accepts deliveries on ${path} (--path).`;
  return jsonAnswer(404, { error: { code: "not_found", message } });
}

function listenError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === "EADDRINUSE") {
    return new CliError(
      "address_in_use",
      `Port ${port} on ${LISTEN_HOST} is already in use: stop the other server or pick another port with --port (0 picks a free one).`,
      { cause: error },
    );
  }
  if (error.code === "EACCES") {
    return new CliError(
      "address_in_use",
      `Not allowed to listen on port ${port} (ports below 1024 need privileges): use --port 3000 or higher.`,
      { cause: error },
    );
  }
  return error;
}

function serve(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, port)));
    server.listen(port, LISTEN_HOST, () => resolve(server.address() as AddressInfo));
  });
}

/**
 * Starts a local receiver on 127.0.0.1 that verifies each delivery with the core
 * (`createWebhookHandler`: signature, timestamp, duplicates), optionally forwards it to your
 * app, keeps it in the session's history, and serves the inspector page at `/inspector`.
 * Verified deliveries answer `200 {"received":true}`, rejected ones the failure table's
 * status and JSON body, unless `forwardTo` (the app's answer) or `status` is set.
 *
 * @example
 * ```ts
 * import { startListener } from "@colivara/webhooks-cli";
 *
 * const listener = await startListener({ port: 0, secret: [secret], onDelivery: (r) => console.log(r.verdict) });
 * console.log(`send deliveries to ${listener.url}, watch them at ${listener.inspectorUrl}`);
 * ```
 */
export async function startListener(options: ListenOptions): Promise<Listener> {
  let origin = "";
  const ctx: ListenerContext = {
    options,
    log: new DeliveryLog(),
    get origin() {
      return origin;
    },
    verify: verifierFor(options, () => origin),
    whichSecret: secretMatcher(options.secret),
  };
  const server = createServer((req, res) => {
    if (handleInspector(req, res, ctx)) return;
    if (!isAllowed(req, ctx.origin, { inspector: false })) return refuse(res);
    handleDelivery(req, res, ctx).catch((error: unknown) => {
      if (!res.headersSent) send(res, jsonAnswer(500, { error: { code: "internal_error", message: String(error) } }));
      else res.end();
    });
  });
  const address = await serve(server, options.port);
  origin = `http://${LISTEN_HOST}:${address.port}`;
  return {
    origin,
    url: `${origin}${options.path ?? "/webhooks/colivara"}`,
    inspectorUrl: `${origin}${INSPECTOR_PATH}`,
    log: ctx.log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
