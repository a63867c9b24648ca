import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type BodyCallback,
  capturedBody,
  type DeliveryPipeline,
  type ProxyTrust,
  readNodeBody,
  sendNodeResponse,
  TRUST_NONE,
  watchAnswer,
} from "@colivara/webhooks/adapter";
import { markVerified } from "./verified-requests.js";

/** What the capture reads of Express's request: the Node request plus Express's own fields. */
export interface ExpressRequest extends IncomingMessage {
  readonly path: string;
  readonly app: { get(setting: string): unknown };
}

export const EXPRESS_PROXY =
  'app.set("trust proxy", 1) on the Nest app (or the proxy\'s address); x-forwarded-proto and x-forwarded-for then count from the hops it trusts';

/** Express's own `trust proxy` setting, compiled by Express; off (the default) walks nothing. */
function trustOf(req: ExpressRequest): ProxyTrust {
  return req.app.get("trust proxy") === false ? TRUST_NONE : (req.app.get("trust proxy fn") as ProxyTrust);
}

/**
 * The exact bytes: what a raw parser kept (`req.rawBody`, a Buffer/string `req.body`), else
 * the stream. The capture runs before Nest's parsers, so this is the stream unless the app
 * put a parser of its own on the Express instance first.
 */
function readBody(req: ExpressRequest, limit: number, readTimeoutMs: number, done: BodyCallback): void {
  const { rawBody, body, _body } = req as { rawBody?: unknown; body?: unknown; _body?: unknown };
  const captured = capturedBody("nestjs", limit, [rawBody, body], _body === true || req.readableEnded);
  if (captured !== undefined) done(captured.error, captured.body);
  else readNodeBody(req, { limit, readTimeoutMs, contentLength: req.headers["content-length"] }, done);
}

/**
 * Express middleware, mounted on the Nest app's Express instance before Nest's body parsers:
 * requests to the module's `path` go through the pipeline, every other request passes on.
 * `pipeline()` is undefined until the module has initialised (no request arrives before).
 */
/** Express middleware, as Nest's `use()` takes it. */
export type ExpressCapture = (req: ExpressRequest, res: ServerResponse, next: () => void) => void;

export function expressCapture(pipeline: () => DeliveryPipeline | undefined): ExpressCapture {
  return function colivaraCapture(req: ExpressRequest, res: ServerResponse, next: () => void): void {
    const current = pipeline();
    if (current === undefined || !current.appliesTo(req.path)) {
      next();
      return;
    }
    const { limit, readTimeoutMs } = current.options;
    current.run({
      method: req.method,
      headers: req.headers,
      readBody: (done) => readBody(req, limit, readTimeoutMs, done),
      send: (response) => sendNodeResponse(res, response),
      secure: () => (req.socket as { encrypted?: boolean }).encrypted === true,
      remoteAddress: () => req.socket.remoteAddress,
      trust: trustOf(req),
      forward(webhook, answered) {
        markVerified(req, webhook, answered);
        // The stream is consumed: the flag every body parser checks, so Nest's parsers skip it.
        (req as { _body?: boolean })._body = true;
        watchAnswer(res, answered);
        next();
      },
    });
  };
}
