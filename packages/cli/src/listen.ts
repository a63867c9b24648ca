import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createWebhookHandler, type VerifiedWebhook } from "@colivara/webhooks";
import { BodyBuffer, DEFAULT_LIMIT_BYTES } from "@colivara/webhooks/adapter";
import { DeliveryLog, type RawDelivery } from "./delivery-log.js";
import type { DeliveryReport } from "./delivery-report.js";
import { CliError } from "./errors.js";
import { type AppAnswer, bodyBytes, forwardDelivery } from "./forward.js";
import { handleInspector, INSPECTOR_PATH } from "./inspector-routes.js";
import { secretMatcher } from "./secret-match.js";
import { showHeaders } from "./shown-headers.js";

export type { DeliveryReport, ReplayMode } from "./delivery-report.js";

/** The only interface the listener binds: deliveries and the inspector stay on this machine. */
export const LISTEN_HOST = "127.0.0.1";

/**
 * Options of {@link startListener}.
 *
 * @example
 * ```ts
 * const options: ListenOptions = { port: 3000, secret: [process.env.COLIVARA_WEBHOOK_SECRET!], onDelivery: console.log };
 * ```
 */
export interface ListenOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Only this path receives deliveries; others answer 404. Default: any path. */
  path?: string | undefined;
  /** The endpoint's secrets (any may match, as during a rotation); the first signs replays. */
  secret: readonly string[];
  /** Pass every delivery's exact bytes and headers on to this app, and answer with its answer. */
  forwardTo?: URL | undefined;
  /** Answer every delivery with this status instead (to watch the sender retry). */
  status?: number | undefined;
  /** Seconds to wait for the app. Default 15, as Svix. */
  forwardTimeoutSeconds?: number | undefined;
  onDelivery: (report: DeliveryReport) => void;
}

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
  /** Every delivery of the session, in order. */
  log: DeliveryLog;
  close(): Promise<void>;
}

interface Received extends RawDelivery {
  method: string;
  receivedAt: Date;
  started: number;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string | Uint8Array;
}

/** What the listener needs to handle one request. */
export interface ListenerContext {
  options: ListenOptions;
  log: DeliveryLog;
  origin: string;
  /** The core's answer to a delivery, and the verified webhook when it was accepted. */
  verify(received: RawDelivery & { method: string }): Promise<{ answer: Answer; webhook?: VerifiedWebhook }>;
  whichSecret: ReturnType<typeof secretMatcher>;
}

async function readRequest(req: IncomingMessage): Promise<Received> {
  const receivedAt = new Date();
  const started = performance.now();
  // One growing buffer, not a chunk each: a body sent in tiny chunks costs its own size.
  const kept = new BodyBuffer(DEFAULT_LIMIT_BYTES, Number(req.headers["content-length"]));
  let crossing: Buffer | undefined;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    // The chunk that crosses the core's limit is kept (so the core answers 413); the rest is
    // read and dropped.
    if (crossing === undefined && !kept.append(chunk)) crossing = chunk;
  }
  const bytes = kept.bytes();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  }
  const path = (req.url ?? "/").split("?")[0] as string;
  return {
    method: req.method ?? "GET",
    path,
    headers,
    body: crossing === undefined ? body : Buffer.concat([body, crossing]),
    receivedAt,
    started,
  };
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
  ctx.log.add(report, { path: received.path, headers: received.headers, body: received.body });
  options.onDelivery(report);
}

function notFound(path: string): Answer {
  const message = `This listener only accepts deliveries on ${path} (--path).`;
  return jsonAnswer(404, { error: { code: "not_found", message } });
}

interface Outcome {
  verdict: Answer;
  answer: Answer;
  webhook: VerifiedWebhook | undefined;
  app: AppAnswer | undefined;
}

function header(headers: RawDelivery["headers"], ...names: string[]): string | undefined {
  for (const name of names) {
    const found = headers.find(([n]) => n.toLowerCase() === name);
    if (found) return found[1];
  }
  return undefined;
}

function textOf(body: string | Uint8Array): string {
  return typeof body === "string" ? body : Buffer.from(body).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function claimedType(body: string): string | undefined {
  const parsed = parseJson(body) as { type?: unknown } | undefined;
  return typeof parsed?.type === "string" ? parsed.type : undefined;
}

function errorOf(body: string): { code: string; message: string } | undefined {
  const error = (parseJson(body) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== "string") return undefined;
  return { code: error.code, message: typeof error.message === "string" ? error.message : "" };
}

async function reportOf(ctx: ListenerContext, received: Received, outcome: Outcome): Promise<DeliveryReport> {
  const body = Buffer.from(received.body).toString("utf8");
  const verdictBody = textOf(outcome.verdict.body);
  const ok = outcome.verdict.status >= 200 && outcome.verdict.status < 300;
  const duplicate = !outcome.webhook && ok && (parseJson(verdictBody) as { duplicate?: unknown })?.duplicate === true;
  const timestamp = header(received.headers, "svix-timestamp", "webhook-timestamp");
  const seconds = timestamp !== undefined && /^\d{1,11}$/.test(timestamp) ? Number(timestamp) : undefined;
  const event = outcome.webhook?.event;
  const report: DeliveryReport = {
    seq: ctx.log.nextSeq(),
    receivedAt: received.receivedAt.toISOString(),
    method: received.method,
    path: received.path,
    status: outcome.answer.status,
    verified: outcome.webhook !== undefined,
    duplicate,
    verdict: outcome.webhook ? "accepted" : duplicate ? "duplicate" : "rejected",
    answeredBy: outcome.app ? "app" : outcome.answer === outcome.verdict ? "verifier" : "status",
    id: header(received.headers, "svix-id", "webhook-id"),
    type: event ? (event.type === "unknown" ? event.originalType : event.type) : claimedType(body),
    signedAt: seconds === undefined ? undefined : new Date(seconds * 1000).toISOString(),
    skewSeconds: seconds === undefined ? undefined : Math.round(received.receivedAt.getTime() / 1000 - seconds),
    secretIndex:
      received.method === "POST"
        ? await ctx.whichSecret(received.body, new Headers(received.headers.map(([n, v]) => [n, v])))
        : undefined,
    event,
    error: outcome.webhook || duplicate ? undefined : errorOf(verdictBody),
    headers: showHeaders(received.headers),
    body,
    bodyBytes: received.body.length,
    app: outcome.app,
    durationMs: Math.round((performance.now() - received.started) * 10) / 10,
    replayOf: ctx.log.takeReplay(header(received.headers, "svix-signature", "webhook-signature")),
  };
  return report;
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
