import { WebhookVerificationError } from "./errors.js";
import { type HeaderInput, headerValue } from "./headers.js";

/** What an adapter knows about the connection, as its framework reports it. */
export interface TransportFacts {
  readonly headers: HeaderInput;
  /** True when the request arrived over TLS, the framework's own proxy setting applied. */
  readonly secure?: (() => boolean) | undefined;
  /** The peer's address, the framework's own proxy setting applied. */
  readonly remoteAddress?: (() => string | undefined) | undefined;
}

/** The first (client-most) entry of a comma-separated forwarding header. */
function first(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(",");
  const entry = (comma < 0 ? value : value.slice(0, comma)).trim();
  return entry === "" ? undefined : entry;
}

/**
 * Whether a request arrived over HTTPS. The framework's word comes first (Express
 * `req.secure` under `trust proxy`, Fastify `request.protocol` under `trustProxy`, the URL
 * scheme on Fetch runtimes); `x-forwarded-proto` counts only when the user said the proxy
 * in front is trusted (`trustProxy: true`), since any client can send that header.
 */
export function arrivedOverTls(port: TransportFacts, trustProxy: boolean): boolean {
  if (port.secure?.() === true) return true;
  return trustProxy && first(headerValue(port.headers, "x-forwarded-proto"))?.toLowerCase() === "https";
}

/** The peer's address: the framework's, else the first `x-forwarded-for` entry behind a trusted proxy. */
export function remoteAddressOf(port: TransportFacts, trustProxy: boolean): string | undefined {
  const address = port.remoteAddress?.();
  if (address !== undefined && !trustProxy) return address;
  return (trustProxy ? first(headerValue(port.headers, "x-forwarded-for")) : undefined) ?? address;
}

/** The `https_required` refusal, naming the fixes for both ends. */
export function httpsRequired(): WebhookVerificationError {
  return new WebhookVerificationError(
    "https_required",
    "This webhook endpoint accepts HTTPS only (requireHttps) and the request arrived over plain HTTP. " +
      "Register the https:// URL with ColiVara. Behind a proxy that terminates TLS, tell the framework to trust it: " +
      'Express app.set("trust proxy", …), Fastify({ trustProxy }), or trustProxy: true for Next.js, Hono and the Fetch handler (Vercel, a load balancer that sets x-forwarded-proto).',
  );
}
