import type { ProxyTrust } from "../http/proxy-trust.js";
import type { WebhookResponse } from "../http/responses.js";
import type { VerifiedWebhook } from "../shared/events.js";
import type { HeaderInput } from "../verify/headers.js";
import type { PayloadParser } from "../verify/parsed-payload.js";

/** Receives the raw body, or why it could not be read (mapped to the failure table). */
export type BodyCallback = (error: unknown, body?: Uint8Array | string) => void;

/**
 * Middleware mode: the next handler answered with `status`, or failed with `error` (Fastify's
 * route error handler, Hono's `c.error`). Called once; later calls are ignored.
 */
export type AnswerCallback = (status: number, error?: unknown) => void;

/**
 * What an adapter hands the pipeline for one request: how to read its body, how to write an
 * answer, and the user's code, as a function the core calls (`call`) or as the framework's
 * next handler (`forward`). Everything else (the order, the statuses) is the core's. The core
 * calls `readBody`, `send`, `call`, `pass`, `forward`, `secure` and `remoteAddress` as the
 * port's methods, so a port may be one object per request whose steps are its class's
 * methods; `parsePayload` and `statusOf` are called on their own.
 *
 * @example
 * ```ts
 * pipeline.run({
 *   method: req.method,
 *   headers: req.headers,
 *   readBody: (done) => readNodeBody(req, pipeline, done),
 *   send: (response) => sendNodeResponse(res, response),
 *   forward: (webhook, answered) => { req.colivara = webhook; watchAnswer(res, answered); next(); },
 * });
 * ```
 */
export interface DeliveryPort {
  readonly method: string | undefined;
  readonly headers: HeaderInput;
  /** Reads the raw bytes once, the limit and timeout enforced; may call back synchronously. */
  readBody(done: BodyCallback): void;
  /**
   * Hands the verified bytes to the framework's own body parser and calls back with its
   * result (Fastify), so the body is parsed once; without it the core parses the bytes.
   * Called only once the signature matched.
   */
  parsePayload?: PayloadParser | undefined;
  /** Writes an answer the core decided. */
  send(response: WebhookResponse): void;
  /**
   * The user's handler, run by the core as the port's method: a throw answers 500; nothing
   * returned answers 204.
   */
  call?: ((webhook: VerifiedWebhook) => unknown) | undefined;
  /** The status of the answer the user's handler gave (its returned value), or `undefined` for none. */
  statusOf?: ((returned: unknown) => number | undefined) | undefined;
  /** Writes the answer the user's handler gave, once its outcome is recorded. */
  pass?: ((returned: unknown) => void) | undefined;
  /** Middleware mode: hands the verified delivery to the framework's next handler. */
  forward?: ((webhook: VerifiedWebhook, answered: AnswerCallback) => void) | undefined;
  /**
   * True when this connection is TLS, as the runtime knows it (the socket's `encrypted`,
   * Bun's URL): never a forwarding header, never a URL built from the request target. Read
   * only with `requireHttps`.
   */
  secure?: (() => boolean) | undefined;
  /** The socket peer's address, where the runtime knows it. Read only while recording or behind trusted proxies. */
  remoteAddress?: (() => string | undefined) | undefined;
  /**
   * The framework's own proxy setting, which replaces the `trustProxy` option: Express's
   * compiled `trust proxy fn`, Fastify's trusted hops. The core reads the forwarding headers.
   */
  trust?: ProxyTrust | undefined;
}
