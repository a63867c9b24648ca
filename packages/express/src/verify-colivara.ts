import {
  type ColivaraEvent,
  type ColivaraWebhookOptions,
  type RegisteredMetadata,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "@colivara/webhooks";
import {
  type AnswerCallback,
  createDeliveryPipeline,
  type ProxyTrust,
  responses,
  sendNodeResponse,
  TRUST_NONE,
  watchAnswer,
} from "@colivara/webhooks/adapter";
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from "express";
import { mountedWithoutPath } from "./mount.js";
import { readRawBody } from "./raw-body.js";

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified delivery; set behind `verifyColivara()`, throws anywhere else. Its
       * `event.metadata` has the type declared once in `Register` (see the README).
       */
      readonly colivara: VerifiedWebhook<ColivaraEvent<RegisteredMetadata>>;
    }
  }
}

const EXPRESS_PROXY =
  'app.set("trust proxy", 1) (or the proxy\'s address); x-forwarded-proto and x-forwarded-for then count from the hops it trusts';
const kAnswered = Symbol.for("@colivara/webhooks-express.answered");
type Verified = Request & { [kAnswered]?: AnswerCallback };

// Express's documented extension point for request properties: fail closed, naming the fix.
Object.defineProperty(express.request, "colivara", {
  configurable: true,
  get(): VerifiedWebhook {
    throw new WebhookVerificationError(
      "invalid_config",
      "req.colivara is only set behind verifyColivara(): add it to this route (app.post(path, verifyColivara(), handler)) or mount it app-wide with the route's path ({ path }).",
    );
  },
});

/**
 * Express's own `trust proxy` setting, compiled by Express: the core walks X-Forwarded-For
 * and X-Forwarded-Proto with it (`req.secure` reads the client-most X-Forwarded-Proto entry,
 * which a client can prepend). With the setting off (Express's default) nothing is walked:
 * the socket alone, without the cost of parsing X-Forwarded-For.
 */
function trustOf(req: Request): ProxyTrust {
  return req.app.get("trust proxy") === false ? TRUST_NONE : (req.app.get("trust proxy fn") as ProxyTrust);
}

/**
 * Express middleware (Express 4 and 5) that verifies a ColiVara delivery from its raw
 * bytes, then sets `req.colivara` and calls `next()`; with `on` or `handOff` it answers
 * itself. Failures answer with the failure table's status and JSON body and never reach the
 * next handler. Bad configuration throws here, at start-up.
 *
 * Where it acts: on a route (`app.post(path, verifyColivara(), handler)`), always. Mounted
 * without a path (`app.use(verifyColivara())`, or `router.use(verifyColivara())` where
 * `path` is relative to the Router's mount), on `path` only (default `/webhooks/colivara`),
 * in every spelling a router could take for it: any case and trailing slash (a Router keeps
 * its own `caseSensitive` and `strict` options, whatever the app's settings say, so neither
 * is trusted to narrow it), percent-escapes, repeated slashes, dot segments. Every other
 * request passes on untouched. Mounted on a prefix (`app.use("/webhooks/colivara",
 * verifyColivara())`), on everything under it. A request alone cannot tell `router.use(mw)`
 * in a Router mounted at `/api` from `app.use("/api", mw)`, so the middleware reads where it
 * is mounted from the app's router stacks; when it cannot (or one instance is mounted both
 * ways) it verifies everything under the mount: it fails closed.
 *
 * With a `metadata` schema, `on` handlers get its output type; `req.colivara` gets the type
 * declared once in `Register` (the schema's output must match it).
 *
 * @example
 * ```ts
 * import express from "express";
 * import { verifyColivara } from "@colivara/webhooks-express";
 *
 * const app = express();
 * app.post("/webhooks/colivara", verifyColivara(), (req, res) => {
 *   console.log(req.colivara.event.type);
 *   res.sendStatus(204);
 * });
 * ```
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const Meta = z.object({ tenant: z.string() });
 * declare module "@colivara/webhooks" {
 *   interface Register { metadata: z.infer<typeof Meta> }
 * }
 * app.post("/webhooks/colivara", verifyColivara({ metadata: Meta }), (req, res) => {
 *   if (req.colivara.event.type === "upsert.success") console.log(req.colivara.event.metadata.tenant);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyColivara<M extends RegisteredMetadata = RegisteredMetadata>(
  options: ColivaraWebhookOptions<M> = {},
): RequestHandler {
  const pipeline = createDeliveryPipeline(options, { proxySetting: EXPRESS_PROXY });
  const { limit, readTimeoutMs } = pipeline.options;
  const middleware: RequestHandler = function colivaraWebhook(req, res, next) {
    if (!actsOn(req)) return next();
    pipeline.run({
      method: req.method,
      headers: req.headers,
      readBody: (done) => readRawBody(req, limit, readTimeoutMs, done),
      send: (response) => sendNodeResponse(res, response),
      // The connection's own facts; Express's `trust proxy` says which forwarding hops count.
      secure: () => (req.socket as { encrypted?: boolean }).encrypted === true,
      remoteAddress: () => req.socket.remoteAddress,
      trust: trustOf(req),
      forward(webhook, answered) {
        // An own property: the getter below sits on this copy of Express only.
        Object.defineProperty(req, "colivara", { value: webhook, configurable: true, enumerable: true });
        (req as Verified)[kAnswered] = answered;
        // The stream is consumed: the flag every body parser checks (body-parser, multer) says
        // so, or express.json() after an app-wide verifier would fail reading it (Express 4).
        (req as { _body?: boolean })._body = true;
        watchAnswer(res, answered);
        next();
      },
    });
  };
  /**
   * On a route, always. Under `use()`, the webhook path (relative to the mount) in any
   * spelling a router could take for it; anything else only under a prefix of its own
   * (`app.use("/webhooks/colivara", mw)`), never under a path-less `app.use(mw)` or
   * `router.use(mw)`.
   */
  function actsOn(req: Request): boolean {
    if (req.route !== undefined || pipeline.appliesTo(req.path)) return true;
    return req.baseUrl !== "" && !mountedWithoutPath(req.app, middleware);
  }
  return middleware;
}

/**
 * Express error middleware for webhook routes: an error from your handler after
 * `verifyColivara()` reaches `onError` with its cause, answers 500 without its message (so
 * ColiVara retries) and frees the delivery for that retry. Other errors pass on. Add it
 * after your routes.
 *
 * @example
 * ```ts
 * app.post("/webhooks/colivara", verifyColivara(), async (req, res, next) => {
 *   try { await save(req.colivara.event); res.sendStatus(204); } catch (error) { next(error); }
 * });
 * app.use(colivaraErrorHandler());
 * ```
 */
export function colivaraErrorHandler(): ErrorRequestHandler {
  return function colivaraErrors(error, req, res, next) {
    const answered = (req as Verified)[kAnswered];
    if (answered === undefined) return next(error);
    answered(500, error);
    sendNodeResponse(res, responses.handlerFailed());
  };
}
