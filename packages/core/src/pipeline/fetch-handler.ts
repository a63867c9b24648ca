import type { ProxyTrust } from "../http/proxy-trust.js";
import { readFetchBodyInto } from "../http/read-fetch-body.js";
import type { WebhookResponse } from "../http/responses.js";
import {
  checkHttpsDecidable,
  currentRuntime,
  type FetchRuntime,
  peerOf,
  urlSchemeIsConnection,
} from "../http/runtime-transport.js";
import { WebhookVerificationError } from "../shared/errors.js";
import type { ColivaraEvent, VerifiedWebhook } from "../shared/events.js";
import type { BodyCallback, DeliveryPort } from "./delivery-port.js";
import type { ColivaraWebhookOptions, PipelineSettings } from "./options.js";
import { createDeliveryPipeline } from "./pipeline.js";

/**
 * Your code for a verified delivery on a Fetch runtime. Return a `Response`, or nothing
 * for 204; a throw answers 500 (so ColiVara retries) and is reported through `onError`.
 * `M` is the type of `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const handler: FetchWebhookHandler = async ({ event }) => {
 *   if (event.type === "upsert.success") await markReady(event.id);
 * };
 * ```
 */
export type FetchWebhookHandler<M = Record<string, unknown>> = (
  webhook: VerifiedWebhook<ColivaraEvent<M>>,
  request: Request,
) => MaybeResponse | Promise<MaybeResponse>;

// biome-ignore lint/suspicious/noConfusingVoidType: `async () => {}` returns Promise<void>; a handler may return nothing.
type MaybeResponse = Response | undefined | void;

/**
 * The endpoint {@link createWebhookHandler} returns: `fetch(request)`, or with what the
 * runtime passes besides (Deno.serve's `info`, Bun.serve's `server`) so the record names the
 * peer and `trustProxy` addresses are checked against it.
 *
 * @example
 * ```ts
 * const endpoint: FetchWebhookEndpoint = createWebhookHandler(async () => {});
 * Deno.serve(endpoint);
 * ```
 */
export type FetchWebhookEndpoint = (request: Request, info?: unknown) => Promise<Response>;

/**
 * Turns the pipeline's response into a Fetch `Response`.
 *
 * @example
 * ```ts
 * send: (response) => resolve(toFetchResponse(response)),
 * ```
 */
export function toFetchResponse(response: WebhookResponse): Response {
  const body = response.body === "" ? null : response.body;
  // A 204 carries no header: a `headers` record, even an empty one, goes through the
  // runtime's HeadersInit conversion, which doubled the cost of building the Response
  // (undici) on every accepted delivery.
  if (!hasHeaders(response.headers)) return new Response(body, { status: response.status });
  return new Response(body, { status: response.status, headers: response.headers });
}

function hasHeaders(headers: Record<string, string>): boolean {
  for (const _ in headers) return true;
  return false;
}

function checkHandler(handler: unknown, options: { handOff?: unknown; on?: unknown }): void {
  const mode = options.handOff !== undefined ? "handOff" : options.on !== undefined ? "a handler map (options.on)" : "";
  if (handler !== undefined && typeof handler !== "function") {
    throw new WebhookVerificationError(
      "invalid_config",
      "The webhook handler must be a function (webhook, request) => Response | void.",
    );
  }
  if (handler !== undefined && mode !== "") {
    throw new WebhookVerificationError(
      "invalid_config",
      `Pass either a handler function or ${mode}, not both: with both, the handler would never run.`,
    );
  }
  if (handler === undefined && mode === "") {
    throw new WebhookVerificationError(
      "invalid_config",
      'Pass a handler function, a handler map as { on: { "upsert.success": fn } }, or { handOff }.',
    );
  }
}

/**
 * The adapters' settings of {@link createFetchHandler}: the pipeline's, and whether the
 * request URL's scheme may say how the request arrived. Next.js builds it from
 * `x-forwarded-proto`, which any client can send: there only `trustProxy` counts.
 */
export interface FetchHandlerSettings extends PipelineSettings {
  /**
   * Default true: on a runtime that builds the URL from the connection (Bun), its scheme
   * counts. It never counts elsewhere (Deno, @hono/node-server: the request target's).
   */
  trustUrlScheme?: boolean | undefined;
  /** Names the adapter in start-up errors. Default `createWebhookHandler`. */
  name?: string | undefined;
  /** Why the runtime gives no connection fact, for the start-up error (Next.js). */
  noConnectionFact?: string | undefined;
  /**
   * Checks the `Response` the user's handler returned before it is sent; a throw fails the
   * delivery as a handler's throw does. Run where the core reads the answer's status, so a
   * check costs no promise of its own (Next.js refuses middleware answers with it).
   */
  checkAnswer?: ((response: Response) => void) | undefined;
}

/** The answer's status, or undefined (204) when the handler returned no `Response`. */
function answerStatus(check: FetchHandlerSettings["checkAnswer"]): (returned: unknown) => number | undefined {
  if (check === undefined) return (returned) => (returned instanceof Response ? returned.status : undefined);
  return (returned) => {
    if (!(returned instanceof Response)) return undefined;
    check(returned);
    return returned.status;
  };
}

const isHttps = (request: Request): boolean => request.url.startsWith("https:");

/**
 * How the handler learns the connection's TLS: Bun's URL, or nothing (then `requireHttps`
 * needs `trustProxy`, checked here at start-up).
 */
function connectionTls(
  settings: FetchHandlerSettings,
  resolved: { requireHttps: boolean; trustProxy: ProxyTrust },
  runtime: FetchRuntime,
): ((request: Request) => boolean) | undefined {
  const fromUrl = settings.trustUrlScheme !== false && urlSchemeIsConnection(runtime);
  checkHttpsDecidable({
    requireHttps: resolved.requireHttps,
    trust: resolved.trustProxy,
    runtime: fromUrl ? "bun" : runtime,
    where: settings.name ?? "createWebhookHandler",
    reason: fromUrl ? undefined : settings.noConnectionFact,
  });
  return fromUrl ? isHttps : undefined;
}

/** What every request to one endpoint shares, made once when the handler is created. */
interface FetchEndpoint {
  readonly limit: number;
  readonly readTimeoutMs: number;
  readonly runtime: FetchRuntime;
  readonly handler: ((webhook: VerifiedWebhook, request: Request) => unknown) | undefined;
  readonly secure: ((request: Request) => boolean) | undefined;
  readonly statusOf: (returned: unknown) => number | undefined;
}

/**
 * One request's {@link DeliveryPort}. Its steps are the class's methods (or functions shared
 * by every request), so a delivery costs this one object rather than a closure per step
 * around the request and the answer's `resolve`.
 */
class FetchDelivery implements DeliveryPort {
  readonly method: string;
  readonly headers: Headers;
  readonly secure: (() => boolean) | undefined;
  readonly call: ((webhook: VerifiedWebhook) => unknown) | undefined;
  readonly statusOf: (returned: unknown) => number | undefined;

  constructor(
    readonly endpoint: FetchEndpoint,
    readonly request: Request,
    readonly info: unknown,
    readonly resolve: (response: Response) => void,
  ) {
    this.method = request.method;
    this.headers = request.headers;
    this.secure = endpoint.secure && secureConnection;
    this.call = endpoint.handler && callHandler;
    this.statusOf = endpoint.statusOf;
  }

  readBody(done: BodyCallback): void {
    void readFetchBodyInto(this.request, this.endpoint.limit, this.endpoint.readTimeoutMs, done);
  }

  send(response: WebhookResponse): void {
    this.resolve(toFetchResponse(response));
  }

  pass(returned: unknown): void {
    this.resolve(returned as Response);
  }

  remoteAddress(): string | undefined {
    return peerOf(this.endpoint.runtime, this.request, this.info);
  }
}

/** The port's `secure`, set only when the endpoint has a connection check. */
function secureConnection(this: FetchDelivery): boolean {
  return (this.endpoint.secure as (request: Request) => boolean)(this.request);
}

/** The port's `call`, set only when the endpoint has a handler. */
function callHandler(this: FetchDelivery, webhook: VerifiedWebhook): unknown {
  return (this.endpoint.handler as NonNullable<FetchEndpoint["handler"]>)(webhook, this.request);
}

/**
 * {@link createWebhookHandler} with the adapters' settings (`lazySecret`: read the secret on
 * the first request, for Next.js builds).
 */
export function createFetchHandler<M>(
  handler: FetchWebhookHandler<M> | undefined,
  options: ColivaraWebhookOptions<M> = {},
  settings: FetchHandlerSettings = {},
): FetchWebhookEndpoint {
  checkHandler(handler, options);
  const pipeline = createDeliveryPipeline(options, settings);
  const runtime = currentRuntime();
  const endpoint: FetchEndpoint = {
    limit: pipeline.options.limit,
    readTimeoutMs: pipeline.options.readTimeoutMs,
    runtime,
    // The pipeline hands over what the metadata schema returned: the handler's `M`.
    handler: handler as FetchEndpoint["handler"],
    secure: connectionTls(settings, pipeline.options, runtime),
    statusOf: answerStatus(settings.checkAnswer),
  };
  // `info`: Deno.serve's ServeHandlerInfo, Bun.serve's server (the peer's address).
  return function colivaraWebhook(request: Request, info?: unknown): Promise<Response> {
    return new Promise((resolve) => pipeline.run(new FetchDelivery(endpoint, request, info, resolve)));
  };
}

/**
 * A framework-free `(request: Request) => Promise<Response>` webhook endpoint for Fetch
 * runtimes (Next.js App Router, Bun, Deno, Cloudflare Workers). Pass a handler, or a
 * handler map as `options.on` (or `options.handOff`) and no handler. `requireHttps` counts
 * `request.url`'s scheme on Bun only (Bun.serve builds it from the listener); elsewhere it
 * needs `trustProxy` and throws at creation without it.
 *
 * @example
 * ```ts
 * import { createWebhookHandler } from "@colivara/webhooks";
 *
 * export default {
 *   fetch: createWebhookHandler(async ({ event }) => {
 *     console.log(event.type);
 *   }),
 * };
 * ```
 *
 * @example
 * ```ts
 * // Deno behind one proxy that terminates TLS: the proxy's x-forwarded-proto decides.
 * Deno.serve(createWebhookHandler(async ({ event }) => console.log(event.type), { requireHttps: true, trustProxy: 1 }));
 * ```
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const fetch = createWebhookHandler(
 *   async ({ event }) => {
 *     if (event.type === "upsert.success") console.log(event.metadata.tenant); // string
 *   },
 *   { metadata: z.object({ tenant: z.string() }) },
 * );
 * ```
 */
export function createWebhookHandler<M = Record<string, unknown>>(
  handler: FetchWebhookHandler<M> | undefined,
  options: ColivaraWebhookOptions<M> = {},
): FetchWebhookEndpoint {
  return createFetchHandler(handler, options);
}
