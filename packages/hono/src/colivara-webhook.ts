import type { ColivaraEvent, ColivaraWebhookOptions, VerifiedWebhook } from "@colivara/webhooks";
import {
  bodyReadError,
  checkHttpsDecidable,
  createDeliveryPipeline,
  currentRuntime,
  type FetchRuntime,
  peerOf,
  type ResolvedOptions,
  toFetchResponse,
  urlSchemeIsConnection,
} from "@colivara/webhooks/adapter";
import type { Context, MiddlewareHandler } from "hono";
import { readHonoBody } from "./read-body.js";

/**
 * The context variables the middleware sets: `c.get("colivara")`. `M` is the type of
 * `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const app = new Hono<ColivaraEnv>();
 * ```
 */
export interface ColivaraEnv<M = Record<string, unknown>> {
  Variables: { colivara: VerifiedWebhook<ColivaraEvent<M>> };
}

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
function arrivedOverTls(c: Context, runtime: FetchRuntime): boolean {
  const socket = nodeSocket(c);
  if (socket !== undefined) return socket.encrypted === true;
  return urlSchemeIsConnection(runtime) && c.req.url.startsWith("https:");
}

/** The peer: the Node socket's, Deno's `info.remoteAddr`, Bun's `server.requestIP()` (all `c.env`). */
function peerAddress(c: Context, runtime: FetchRuntime): string | undefined {
  return nodeSocket(c)?.remoteAddress ?? peerOf(runtime, c.req.raw, c.env);
}

/** Deno and Workers give no TLS fact: `requireHttps` then needs `trustProxy` (on Node, the socket may). */
function checkRuntime({ requireHttps, trustProxy }: ResolvedOptions): FetchRuntime {
  const runtime = currentRuntime();
  if (runtime !== "node") checkHttpsDecidable({ requireHttps, trust: trustProxy, runtime, where: "colivaraWebhook()" });
  return runtime;
}

/** A route as Hono's router keeps it; without `basePath` (older Hono 4) a mount under a base fails closed. */
interface MatchedRoute {
  path: string;
  basePath?: string;
}

/** `path` below `base` (a base path, perhaps with parameters), segment by segment. */
function below(base: string, path: string): string {
  const depth = base.split("/").filter((segment) => segment !== "").length;
  return `/${path
    .split("/")
    .slice(1 + depth)
    .join("/")}`;
}

/** `use(mw)` or `use("*", mw)` under `base`: Hono stores it as `${base}/*`. */
function isPathless(route: MatchedRoute, base: string): boolean {
  return route.path === "*" || route.path === `${base.replace(/\/$/, "")}/*`;
}

/**
 * On a route or a prefix of its own, always. Mounted without a path (`app.use(mw)`, also
 * under `basePath()` or `route()`, where `path` is relative to that base), on the webhook
 * path only: the path Hono routed this request by (`c.req.path`: percent-escapes decoded, the
 * trailing slash dropped under `strict: false`), in any spelling a router could take for it.
 * Which form it is comes from the route Hono matched for it; without that to read, it fails
 * closed: it acts.
 */
function actsOn(c: Context, appliesTo: (pathname: string) => boolean): boolean {
  const matched = (c.req as { matchedRoutes?: readonly MatchedRoute[] }).matchedRoutes;
  const current = matched?.[c.req.routeIndex];
  if (matched === undefined || current === undefined) return true;
  const base = current.basePath ?? "/";
  return !isPathless(current, base) || appliesTo(below(base, c.req.path));
}

/**
 * Hono middleware that verifies a ColiVara delivery from its raw bytes and sets the typed
 * `c.get("colivara")`; with `on` or `handOff` it answers itself. Failures answer with the
 * failure table's status and JSON body and never reach the route. Mounted app-wide
 * (`app.use(colivaraWebhook())`) it acts on `path` only (default `/webhooks/colivara`,
 * relative to `basePath()` or `route()`), as Hono routes it: see the README.
 * Runs wherever Hono runs: node:crypto on Node, Bun and Deno; Web Crypto on Workers.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { colivaraWebhook } from "@colivara/webhooks-hono";
 *
 * const app = new Hono();
 * app.post("/webhooks/colivara", colivaraWebhook(), (c) => {
 *   console.log(c.get("colivara").event.type);
 *   return c.body(null, 204);
 * });
 * ```
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * app.post("/webhooks/colivara", colivaraWebhook({ metadata: z.object({ tenant: z.string() }) }), (c) => {
 *   const { event } = c.get("colivara");
 *   if (event.type === "upsert.success") console.log(event.metadata.tenant); // string
 *   return c.body(null, 204);
 * });
 * ```
 */
export function colivaraWebhook<M = Record<string, unknown>>(
  options: ColivaraWebhookOptions<M> = {},
): MiddlewareHandler<ColivaraEnv<M>> {
  const pipeline = createDeliveryPipeline(options);
  const runtime = checkRuntime(pipeline.options);
  const { limit, readTimeoutMs } = pipeline.options;
  return async function colivaraWebhookMiddleware(c, next) {
    if (!actsOn(c, pipeline.appliesTo)) return next();
    return new Promise<Response | undefined>((resolve) => {
      pipeline.run({
        method: c.req.method,
        headers: c.req.raw.headers,
        readBody: (done) =>
          readHonoBody(c.req, limit, readTimeoutMs).then(
            (body) => done(undefined, body),
            (error: unknown) => done(bodyReadError(error, limit)),
          ),
        send: (response) => resolve(toFetchResponse(response)),
        secure: () => arrivedOverTls(c, runtime),
        remoteAddress: () => peerAddress(c, runtime),
        forward(webhook, answered) {
          // The metadata schema's output: the `M` of this middleware.
          c.set("colivara", webhook as VerifiedWebhook<ColivaraEvent<M>>);
          // Hono turns a thrown route into c.error and a 500: the error reaches onError.
          const routed = next().then(
            () => answered(c.res.status, c.error),
            (error: unknown) => {
              answered(500, error);
              throw error;
            },
          );
          resolve(routed.then(() => undefined));
        },
      });
    });
  };
}
