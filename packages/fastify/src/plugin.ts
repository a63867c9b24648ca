import { type VerifiedWebhook, WebhookVerificationError } from "@colivara/webhooks";
import {
  createReceiver,
  DEFAULT_LIMIT_BYTES,
  type ReceiveInput,
  type ReceiveResult,
  type ReceiverOptions,
  settleWhenAnswered,
  type WebhookResponse,
} from "@colivara/webhooks/adapter";
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preParsingHookHandler,
  RouteOptions,
} from "fastify";
import fp from "fastify-plugin";
import { type PayloadStream, readRawBody, replayStream } from "./raw-body.js";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The verified delivery, on routes declared with `{ config: { colivara: true } }`.
     * Reading it anywhere else throws `body_already_parsed` (fail closed).
     */
    readonly colivara: VerifiedWebhook;
  }
  interface FastifyContextConfig {
    /** Verify ColiVara webhooks on this route (needs the `@colivara/webhooks-fastify` plugin). */
    colivara?: boolean;
  }
}

/**
 * Options of the plugin: those of every adapter (`secret`, `toleranceSeconds`, `limit`,
 * `on`, `onError`) plus `path`, where the plugin declares the route itself (with `on`).
 *
 * @example
 * ```ts
 * const options: ColivaraWebhooksOptions = { secret: process.env.COLIVARA_WEBHOOK_SECRET, limit: "256kb" };
 * ```
 */
export interface ColivaraWebhooksOptions extends ReceiverOptions {
  /**
   * With `on`: the plugin declares `POST path` itself, answered by the handler map.
   * Without `path`, routes opt in with `{ config: { colivara: true } }`.
   */
  path?: string | undefined;
  /**
   * Largest accepted body, in bytes or as `"1mb"`. Default: the route's `bodyLimit`, else
   * 1 MiB (or Fastify's `bodyLimit` when that is smaller).
   */
  limit?: number | string | undefined;
}

// Shared through the global registry, so nested registrations (even of two installed copies)
// read and write the same slot.
const kWebhook: unique symbol = Symbol.for("@colivara/webhooks-fastify.webhook") as never;
const kCapture: unique symbol = Symbol.for("@colivara/webhooks-fastify.capture") as never;
const kContentType: unique symbol = Symbol.for("@colivara/webhooks-fastify.content-type") as never;
/**
 * The content type a verified request carries between its preParsing hook and Fastify's
 * parser: its parser hands over the event already parsed, instead of Fastify reading and
 * parsing the same bytes a second time. The real header is put back before anything else
 * of the route sees the request.
 */
const VERIFIED_TYPE = "application/x-colivara-verified";
/** Scopes the plugin is registered in (with fastify-plugin, the registering instance itself). */
const registeredScopes = new WeakSet<object>();
/** The bodyLimit a route was declared with, before an outer registration raised it. */
const declaredBodyLimits = new WeakMap<object, number | undefined>();
type Captured = FastifyRequest & {
  [kWebhook]: VerifiedWebhook | null;
  [kContentType]: string | string[] | undefined;
};

const NOT_CAPTURED =
  "request.colivara is only set on routes declared with { config: { colivara: true } } after " +
  "`await app.register(colivaraWebhooks)`, in the same scope or a child scope. This route's raw body was not " +
  "captured, so Fastify's JSON parser read it first and it cannot be verified: opt the route in and register " +
  "the plugin before declaring the route.";

function invalidConfig(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

function send(reply: FastifyReply, response: WebhookResponse): void {
  reply.code(response.status).headers(response.headers);
  reply.send(response.body === "" ? undefined : response.body);
}

/** Puts back the Content-Type that {@link skipParsing} swapped out. */
function restoreContentType(request: FastifyRequest): void {
  const headers = request.raw.headers;
  const original = (request as Captured)[kContentType];
  if (original === undefined) delete headers["content-type"];
  else headers["content-type"] = original as string;
}

/** Fastify's parser for verified requests: the body is the JSON that was verified. */
function verifiedBody(request: FastifyRequest, _payload: unknown, done: (error: null, body: unknown) => void): void {
  restoreContentType(request);
  const event = ((request as Captured)[kWebhook] as VerifiedWebhook).event;
  done(null, event.type === "unknown" ? event.payload : event);
}

/**
 * Sends a verified request to {@link verifiedBody}. Fastify picks the parser from
 * `request.headers`; if something (a `request.headers` setter) shadows the raw header,
 * the bytes are replayed to the route's own parser instead.
 */
function skipParsing(request: FastifyRequest, body: Buffer, payload: PayloadStream): PayloadStream {
  const headers = request.raw.headers;
  (request as Captured)[kContentType] = headers["content-type"];
  headers["content-type"] = VERIFIED_TYPE;
  if (request.headers["content-type"] === VERIFIED_TYPE) return payload;
  restoreContentType(request);
  return replayStream(body, payload);
}

/** The route's own preParsing hooks, less the capture of a registration in an outer scope. */
function otherHooksOf(route: RouteOptions): preParsingHookHandler[] {
  const existing = route.preParsing as preParsingHookHandler | preParsingHookHandler[] | undefined;
  if (existing === undefined) return [];
  return (Array.isArray(existing) ? existing : [existing]).filter((hook) => !(kCapture in hook));
}

async function colivaraWebhooksPlugin(fastify: FastifyInstance, options: ColivaraWebhooksOptions): Promise<void> {
  const { path, ...receiverOptions } = options;
  // Bad configuration throws here, so `register` (and so start-up) fails.
  const receiver = createReceiver(receiverOptions);
  if (path !== undefined && (typeof path !== "string" || !path.startsWith("/"))) {
    throw invalidConfig(`path must be a route path starting with "/", got ${JSON.stringify(path)}.`);
  }
  if (path !== undefined && !receiver.answersItself) {
    throw invalidConfig(
      'path needs on: the plugin declares that route and answers it with the handler map, e.g. { path, on: { "upsert.success": fn } }. ' +
        "Without on, declare your own route with { config: { colivara: true } }.",
    );
  }
  if (registeredScopes.has(fastify)) {
    throw invalidConfig(
      "The colivara plugin is already registered in this scope. Register it once per scope; for another secret or handler map, register it again inside an encapsulated child scope (app.register(async (scope) => { ... })).",
    );
  }
  registeredScopes.add(fastify);

  const explicitLimit = options.limit === undefined ? undefined : receiver.limit;
  const serverLimit = fastify.initialConfig.bodyLimit ?? DEFAULT_LIMIT_BYTES;

  // A registration in an outer scope already decorated the request (decorations are inherited).
  if (!fastify.hasRequestDecorator("colivara")) {
    fastify.decorateRequest(kWebhook, null);
    fastify.decorateRequest(kContentType, undefined);
    fastify.decorateRequest("colivara", {
      getter(this: FastifyRequest): VerifiedWebhook {
        const webhook = (this as Captured)[kWebhook];
        if (webhook) return webhook;
        throw new WebhookVerificationError("body_already_parsed", NOT_CAPTURED);
      },
    });
  }

  // Parsers are inherited too, as long as the child scope is registered after this one.
  if (!fastify.hasContentTypeParser(VERIFIED_TYPE)) fastify.addContentTypeParser(VERIFIED_TYPE, verifiedBody);

  function verify(
    request: FastifyRequest,
    reply: FastifyReply,
    input: ReceiveInput,
    payload: PayloadStream,
    replay: boolean,
    done: (error: Error | null, stream?: PayloadStream) => void,
  ): void {
    const proceed = (result: ReceiveResult) => {
      // An answer sent here ends the request: `done` is never called, the route never runs.
      if (result.response) return send(reply, result.response);
      (request as Captured)[kWebhook] = result.webhook;
      // Dedupe learns the outcome from the route's answer: 2xx is handled, else retried.
      settleWhenAnswered(reply.raw, result.settle);
      const body = (input.body as Buffer | undefined) ?? Buffer.alloc(0);
      // The route's own later hooks may read the body, so they get the bytes again.
      done(null, replay ? replayStream(body, payload) : skipParsing(request, body, payload));
    };
    const result = receiver.receiveNow(input);
    if (result instanceof Promise) result.then(proceed, done);
    else proceed(result);
  }

  function captureHook(limit: number, replay: boolean): preParsingHookHandler {
    const hook: preParsingHookHandler = function colivaraCapture(request, reply, payload, done) {
      const next = done as (error: Error | null, stream?: PayloadStream) => void;
      const { method, headers } = request;
      if (method !== "POST") return verify(request, reply, { method, headers }, payload, replay, next);
      readRawBody(request, payload, limit, receiver.readTimeoutMs, (bodyError, body) =>
        verify(request, reply, { method, headers, body, bodyError }, payload, replay, next),
      );
    };
    return Object.assign(hook, { [kCapture]: true });
  }

  // Only routes that opt in get the hook: every other route keeps Fastify's parsing untouched.
  fastify.addHook("onRoute", (route) => {
    if (route.config?.colivara !== true) return;
    if (!declaredBodyLimits.has(route)) declaredBodyLimits.set(route, route.bodyLimit);
    const declared = declaredBodyLimits.get(route);
    const limit = explicitLimit ?? declared ?? Math.min(DEFAULT_LIMIT_BYTES, serverLimit);
    // The bytes are replayed to Fastify's parser after the check; it must accept what we did.
    if (limit > (declared ?? serverLimit)) route.bodyLimit = limit;
    else if (declared !== undefined) route.bodyLimit = declared;
    else delete route.bodyLimit;
    // First of the route's own hooks: it sees the body before anything else declared on the
    // route. The innermost registration runs its onRoute hook last, so it is the one that stays.
    const others = otherHooksOf(route as RouteOptions);
    route.preParsing = [captureHook(limit, others.length > 0), ...others];
  });

  if (path !== undefined) {
    fastify.post(path, { config: { colivara: true } }, async () => {
      // The capture hook answers every request on this route from the handler map.
      throw new Error("unreachable: the colivara handler map answers this route");
    });
  }
}

/**
 * Fastify plugin (Fastify 4 and 5) that verifies ColiVara webhooks. Routes opt in with
 * `{ config: { colivara: true } }`: their raw bytes are captured before any content-type
 * parser, verified, and the handler reads the typed `request.colivara`. Failures answer with
 * the status and JSON body of the failure table and never reach the handler. Every other
 * route keeps Fastify's normal parsing. With `on` (and `path`) the plugin answers itself.
 * Bad configuration makes `register` fail.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import colivaraWebhooks from "@colivara/webhooks-fastify";
 *
 * const app = Fastify();
 * await app.register(colivaraWebhooks, { secret: process.env.COLIVARA_WEBHOOK_SECRET });
 * app.post("/webhooks/colivara", { config: { colivara: true } }, async (request) => {
 *   const { event } = request.colivara;
 *   if (event.type === "upsert.success") console.log(event.name, event.num_pages);
 *   return { received: true };
 * });
 * ```
 */
export const colivaraWebhooks: FastifyPluginAsync<ColivaraWebhooksOptions> = fp(colivaraWebhooksPlugin, {
  fastify: "4.x || 5.x",
  name: "@colivara/webhooks-fastify",
});
