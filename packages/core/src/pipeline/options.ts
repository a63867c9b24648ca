import { type DedupeStore, memoryStore } from "../dedupe/dedupe.js";
import { defaultOnError, defaultSink } from "../record/default-log.js";
import { loggerSink, type WebhookLogger } from "../record/delivery-log.js";
import { WebhookVerificationError } from "../shared/errors.js";
import type {
  ColivaraEvent,
  ErrorContext,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
} from "../shared/events.js";

export type { ErrorContext } from "../shared/events.js";

import { parseLimit } from "../http/limit.js";
import { compileProxyTrust, type ProxyTrust, type TrustProxyOption } from "../http/proxy-trust.js";
import { DEFAULT_READ_TIMEOUT_MS } from "../http/read-timeout.js";
import { createRecorder, type DeliveryRecorder, NOT_RECORDING } from "../record/recorder.js";
import type { DeliveryTelemetry } from "../record/telemetry.js";
import { DEFAULT_SLOW_HANDLER_MS } from "../record/warnings.js";
import { nearestKey } from "../shared/nearest-key.js";
import { numberOption } from "../shared/number-option.js";
import { checkMetadataSchema, createMetadataCheck, type MetadataCheck } from "../verify/metadata-check.js";
import { type Check, createCheck, DEFAULT_TOLERANCE_SECONDS, type VerifierOptions } from "../verify/verifier.js";
import type { DeadLetter, HandOff } from "./hand-off.js";

/** A handler of the handler map: the event, then the whole verified delivery. */
export type EventHandler<E extends ColivaraEvent<unknown>> = (event: E, webhook: VerifiedWebhook<E>) => unknown;

/**
 * Handlers keyed by event type, for adapters that answer the request themselves. A type
 * without a handler is acknowledged; `unknown` catches types this version does not know.
 * `M` is the type of `event.metadata` (the `metadata` schema's output).
 *
 * @example
 * ```ts
 * const on: WebhookHandlers = {
 *   "upsert.success": async (event) => console.log("ready", event.id),
 *   "upsert.fail": async (event) => console.error(event.name, event.error),
 * };
 * ```
 */
export interface WebhookHandlers<M = Record<string, unknown>> {
  "upsert.success"?: EventHandler<UpsertSuccessEvent<M>>;
  "upsert.fail"?: EventHandler<UpsertFailEvent<M>>;
  unknown?: EventHandler<UnknownEvent>;
}

/**
 * Options every adapter accepts (the same object for Express, Fastify, Next.js, Hono and
 * the Fetch handler). Defaults and checks live in {@link resolveOptions}. `M` is the type of
 * `event.metadata`, inferred from the `metadata` schema.
 *
 * @example
 * ```ts
 * const options: ColivaraWebhookOptions = { limit: "256kb", on: { "upsert.fail": (event) => console.error(event.error) } };
 * ```
 */
export interface ColivaraWebhookOptions<M = Record<string, unknown>> extends VerifierOptions<M> {
  /** Largest accepted body, in bytes or as `"1mb"`. Default 1 MiB. */
  limit?: number | string | undefined;
  /** How long the whole body may take to arrive before a 408. Default 10,000 ms. */
  readTimeoutMs?: number | undefined;
  /**
   * The webhook path, where the middleware is mounted app-wide (`app.use(verifyColivara())`):
   * it then acts on this path only and passes every other request on. Default
   * `/webhooks/colivara`. With Fastify, `path` plus `on` or `handOff` declares the route.
   */
  path?: string | undefined;
  /** Handler map: the adapter answers itself (204, or 500 when a handler throws). */
  on?: WebhookHandlers<NoInfer<M>> | undefined;
  /** Called for handler failures and server-side misconfiguration. Default: console.error with the stack. */
  onError?: ((error: unknown, context: ErrorContext) => void) | undefined;
  /**
   * Handles each delivery id once: a store, or `false` to turn it off. Default: an
   * in-memory store (enough for one instance; use `redisStore` across instances).
   */
  dedupe?: DedupeStore | false | undefined;
  /**
   * Stores each verified delivery durably instead of running a handler in the request
   * (`bullmqHandOff(queue)` from `@colivara/webhooks-bullmq`): 202 once stored, 200 for a
   * copy, 503 when the store is unreachable. The queue's job id is the delivery id, so no
   * dedupe store is used unless one is given.
   */
  handOff?: HandOff | undefined;
  /** Keeps deliveries a handler refused with `permanentFailure()`. Default: reported through `onError`. */
  deadLetter?: DeadLetter | undefined;
  /**
   * Where each attempt's record goes: a pino-compatible logger gets every attempt (accepted
   * at info, refused at warn, failures at error) and the warnings. Default: one line on
   * stderr per refused attempt and per warning. Refusals of unverified requests, refusals of
   * signed deliveries and slow-handler warnings are each paced to 10 lines a minute plus a
   * summary that names the codes it counted; clock-drift and signature-burst warnings are
   * never paced away. `false`: nothing.
   */
  log?: WebhookLogger | false | undefined;
  /** A span and metrics per attempt: `openTelemetry()` from `@colivara/webhooks/otel`. */
  telemetry?: DeliveryTelemetry | undefined;
  /**
   * Refuse deliveries that did not arrive over HTTPS (403 `https_required`). Decided from the
   * connection (the socket; Bun's URL), or behind trusted proxies from `x-forwarded-proto`,
   * never from the scheme of a URL the runtime built from the request target. Behind a proxy
   * that terminates TLS, the framework must trust it (Express `trust proxy`, Fastify
   * `trustProxy`, or `trustProxy` below for Next.js, Hono and the Fetch handler). Where no
   * request could pass (Next.js, Deno, Workers without `trustProxy`) it throws at start-up.
   * Default false.
   */
  requireHttps?: boolean | undefined;
  /**
   * Next.js, Hono and the Fetch handler: which proxies in front to trust for
   * `x-forwarded-proto` and `x-forwarded-for`, as Express's `trust proxy`: `true` (every hop),
   * a hop count (`1` for one proxy, as on Vercel or behind one load balancer), or the
   * proxies' addresses (`"10.0.0.1"`, `"10.0.0.0/8"`, `["loopback", "fc00::/7"]`, IPv4,
   * IPv6 and IPv4-mapped IPv6 alike). The client address is the one the last trusted proxy
   * saw, and the scheme the one it wrote: what a client prepends never counts. Express and
   * Fastify use their own setting. Default false: any client can send those headers.
   */
  trustProxy?: TrustProxyOption | undefined;
  /** Warn when the user's code has not answered after this long. Default 10,000 ms (Svix waits 15 s). */
  slowHandlerMs?: number | undefined;
}

/** Where app-wide middleware listens when no `path` is given. */
export const DEFAULT_PATH = "/webhooks/colivara";

const KNOWN_KEYS: readonly (keyof ColivaraWebhookOptions)[] = [
  "secret",
  "toleranceSeconds",
  "now",
  "limit",
  "readTimeoutMs",
  "path",
  "on",
  "onError",
  "dedupe",
  "handOff",
  "deadLetter",
  "log",
  "telemetry",
  "requireHttps",
  "trustProxy",
  "slowHandlerMs",
  "metadata",
];
const HANDLER_KEYS: readonly string[] = ["upsert.success", "upsert.fail", "unknown"];

/** Options after defaults and checks: what the pipeline runs on. */
export interface ResolvedOptions {
  readonly limit: number;
  readonly readTimeoutMs: number;
  readonly path: string;
  readonly handlers: WebhookHandlers | undefined;
  readonly handOff: HandOff | undefined;
  readonly deadLetter: DeadLetter | undefined;
  /** The `metadata` schema as a step of the pipeline; hands the delivery on unchanged without one. */
  readonly metadata: MetadataCheck;
  readonly store: DedupeStore | undefined;
  /** `onError`, guarded: a failing reporter never turns a handled failure into a crash. */
  readonly report: (error: unknown, context: ErrorContext) => void;
  /** The signature check; created on first use with `lazySecret`. */
  readonly check: () => Check;
  /** Writes each attempt's record (`log`, `telemetry`); a no-op recorder when both are off. */
  readonly recorder: DeliveryRecorder;
  readonly requireHttps: boolean;
  /** The `trustProxy` option, compiled; trusts nothing where the framework decides. */
  readonly trustProxy: ProxyTrust;
}

/**
 * What an adapter tells {@link resolveOptions}: `lazySecret` reads the secret on the first
 * request (Next.js builds); `proxySetting` names the framework's own proxy setting, which
 * then replaces the `trustProxy` option.
 */
export interface PipelineSettings {
  lazySecret?: boolean | undefined;
  proxySetting?: string | undefined;
}

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

function checkKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if ((KNOWN_KEYS as readonly string[]).includes(key)) continue;
    const near = nearestKey(key, KNOWN_KEYS);
    const hint = near ? ` Did you mean "${near}"?` : "";
    throw invalid(`Unknown option "${key}".${hint} Known options: ${KNOWN_KEYS.join(", ")}.`);
  }
}

function checkHandlers(on: unknown): WebhookHandlers | undefined {
  if (on === undefined) return undefined;
  if (on === null || typeof on !== "object") throw invalid('on must be an object like { "upsert.success": fn }.');
  return checkHandlerKeys(on);
}

/** A handler map's keys and values, checked at start-up: the event types this version knows (or `unknown`), each a function. */
export function checkHandlerKeys(on: object): WebhookHandlers {
  for (const [key, value] of Object.entries(on)) {
    if (!HANDLER_KEYS.includes(key)) {
      const near = nearestKey(key, HANDLER_KEYS);
      throw invalid(
        `on has an unexpected key "${key}"${near ? ` (did you mean "${near}"?)` : ""}; use "upsert.success", "upsert.fail" or "unknown" (for types added later).`,
      );
    }
    if (typeof value !== "function") throw invalid(`on["${key}"] must be a function.`);
  }
  return on as WebhookHandlers;
}

function checkStore(dedupe: unknown, handOff: HandOff | undefined): DedupeStore | undefined {
  if (dedupe === false) return undefined;
  // A hand-off queue keys its jobs by delivery id: it is the dedupe.
  if (dedupe === undefined) return handOff === undefined ? memoryStore() : undefined;
  const store = dedupe as Partial<DedupeStore> | null;
  const methods = ["claim", "complete", "release"] as const;
  if (typeof store !== "object" || store === null || methods.some((name) => typeof store[name] !== "function")) {
    throw invalid("dedupe must be a store with claim/complete/release (memoryStore(), redisStore(client)) or false.");
  }
  checkFunction("dedupe.extend", store.extend, "(id, token) => Promise<void>, or left out");
  return store as DedupeStore;
}

function checkFunction<T>(name: string, value: T, shape: string): T {
  if (value !== undefined && typeof value !== "function") throw invalid(`${name} must be a function ${shape}.`);
  return value;
}

function checkHandOff(handOff: unknown, on: unknown): HandOff | undefined {
  if (handOff === undefined) return undefined;
  if (typeof (handOff as Partial<HandOff> | null)?.enqueue !== "function") {
    throw invalid(
      "handOff must have enqueue(webhook, context), e.g. bullmqHandOff(queue) from @colivara/webhooks-bullmq.",
    );
  }
  if (on !== undefined) {
    throw invalid("Pass either on (handlers run in the request) or handOff (a worker runs them later), not both.");
  }
  return handOff as HandOff;
}

function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalid(`${name} must be true or false, got ${JSON.stringify(value)}.`);
  return value;
}

function checkTrustProxy(value: unknown, proxySetting: string | undefined): ProxyTrust {
  if (value !== undefined && value !== false && proxySetting !== undefined) {
    throw invalid(
      `trustProxy is for Next.js, Hono and the Fetch handler; this framework decides it itself: ${proxySetting}.`,
    );
  }
  return compileProxyTrust(value);
}

function checkLogger(log: unknown): WebhookLogger | false | undefined {
  if (log === undefined || log === false) return log;
  const logger = log as Partial<WebhookLogger> | null;
  if (
    typeof logger !== "object" ||
    logger === null ||
    ["info", "warn", "error"].some((m) => typeof logger[m as "info"] !== "function")
  ) {
    throw invalid("log must be a pino-compatible logger (info, warn and error methods), e.g. pino(), or false.");
  }
  return logger as WebhookLogger;
}

function checkTelemetry(telemetry: unknown): DeliveryTelemetry | undefined {
  if (telemetry === undefined) return undefined;
  if (typeof (telemetry as Partial<DeliveryTelemetry> | null)?.start !== "function") {
    throw invalid('telemetry must come from openTelemetry() of "@colivara/webhooks/otel".');
  }
  return telemetry as DeliveryTelemetry;
}

/** `log` and `telemetry` to a recorder: the no-op one when both are off. */
function resolveRecorder(options: ColivaraWebhookOptions, trustProxy: ProxyTrust): DeliveryRecorder {
  const log = checkLogger(options.log);
  const telemetry = checkTelemetry(options.telemetry);
  const slowHandlerMs = numberOption("slowHandlerMs", options.slowHandlerMs, {
    fallback: DEFAULT_SLOW_HANDLER_MS,
    unit: "milliseconds",
  });
  if (log === false && telemetry === undefined) return NOT_RECORDING;
  const sinks = log === false ? [] : [log === undefined ? defaultSink() : loggerSink(log)];
  const tolerance = options.toleranceSeconds;
  const toleranceSeconds = typeof tolerance === "number" ? tolerance : DEFAULT_TOLERANCE_SECONDS;
  return createRecorder({ sinks, telemetry, toleranceSeconds, slowHandlerMs, trustProxy });
}

/** Characters no literal path holds: a query, a fragment, blanks, or a router's pattern syntax. */
const NOT_LITERAL = /[?#:*(){}\s\p{Cc}]/u;

/**
 * `path` is compared literally (under every router's spellings of it): a pattern such as
 * `/webhooks/:tenant` would match only itself and leave the routes it names unverified.
 */
function checkPath(path: unknown): string {
  if (path === undefined) return DEFAULT_PATH;
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw invalid(`path must be a route path starting with "/", got ${JSON.stringify(path)}.`);
  }
  if (NOT_LITERAL.test(path)) {
    throw invalid(
      `path must be a literal path like "/webhooks/colivara", got ${JSON.stringify(path)}: it has no query, fragment, blanks or route parameters. For a pattern, put the middleware on that route instead (app.post(pattern, verifyColivara(), handler)).`,
    );
  }
  return path;
}

/**
 * Every default and every check of the options, in one place. Bad configuration throws
 * `invalid_config` here, at start-up; with `lazySecret` the secret alone is resolved on the
 * first request instead (so `next build` runs without it).
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ limit: "256kb" });
 * resolved.limit; // 262144
 * ```
 */
export function resolveOptions(options: ColivaraWebhookOptions = {}, settings: PipelineSettings = {}): ResolvedOptions {
  if (options === null || typeof options !== "object") throw invalid("Options must be an object.");
  checkKeys(options);
  const onError = checkFunction("onError", options.onError, "(error, context) => void") ?? defaultOnError;
  const deadLetter = checkFunction("deadLetter", options.deadLetter, "(webhook, error) => void");
  const handOff = checkHandOff(options.handOff, options.on);
  let check: Check | undefined = settings.lazySecret ? undefined : createCheck(options).check;
  const trustProxy = checkTrustProxy(options.trustProxy, settings.proxySetting);
  return {
    limit: parseLimit(options.limit),
    readTimeoutMs: numberOption("readTimeoutMs", options.readTimeoutMs, {
      fallback: DEFAULT_READ_TIMEOUT_MS,
      unit: "milliseconds",
    }),
    path: checkPath(options.path),
    handlers: checkHandlers(options.on),
    handOff,
    deadLetter,
    metadata: createMetadataCheck(checkMetadataSchema(options.metadata)),
    store: checkStore(options.dedupe, handOff),
    report(error, context) {
      try {
        onError(error, context);
      } catch {
        // A failing reporter must not turn a handled failure into a crash.
      }
    },
    check: () => {
      check ??= createCheck(options).check;
      return check;
    },
    recorder: resolveRecorder(options, trustProxy),
    requireHttps: checkFlag("requireHttps", options.requireHttps),
    trustProxy,
  };
}
