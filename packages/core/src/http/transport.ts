import { WebhookVerificationError } from "../shared/errors.js";
import { type HeaderInput, headerValue } from "../verify/headers.js";
import { type ProxyTrust, TRUST_NONE } from "./proxy-trust.js";

/** What an adapter knows about the connection, as its runtime reports it. */
export interface TransportFacts {
  readonly headers: HeaderInput;
  /**
   * True when this connection is TLS (the socket's `encrypted`, Bun's URL): never a
   * forwarding header, never a URL the runtime built from the request target.
   */
  readonly secure?: (() => boolean) | undefined;
  /** The socket peer's address, where the runtime knows it. */
  readonly remoteAddress?: (() => string | undefined) | undefined;
  /**
   * The framework's own proxy setting (Express `trust proxy`, Fastify `trustProxy`), which
   * then replaces the `trustProxy` option.
   */
  readonly trust?: ProxyTrust | undefined;
}

/** The entries of a comma-separated forwarding header, left (client-most) to right. */
function entries(headers: HeaderInput, name: string): string[] {
  const value = headerValue(headers, name);
  if (value === undefined) return [];
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** The hops from the server outwards: the socket peer, then `X-Forwarded-For` from the right. */
interface Chain {
  readonly addresses: readonly (string | undefined)[];
  /** How many hops from the server are trusted proxies. */
  readonly trusted: number;
}

function chainOf(port: TransportFacts, trust: ProxyTrust): Chain {
  const addresses = [port.remoteAddress?.(), ...entries(port.headers, "x-forwarded-for").reverse()];
  let trusted = 0;
  while (trusted < addresses.length && trust(addresses[trusted], trusted)) trusted++;
  return { addresses, trusted };
}

/**
 * Whether a request arrived over HTTPS. With no trusted proxy, the connection decides. Behind
 * trusted proxies, `X-Forwarded-Proto` decides, read like `X-Forwarded-For`: the entry the
 * outermost trusted proxy wrote (as many entries from the right as there are trusted hops;
 * the left-most when proxies overwrite rather than append). Entries a client prepends sit
 * left of it and never count; with every hop trusted the client-most entry counts.
 */
export function arrivedOverTls(port: TransportFacts, trustProxy: ProxyTrust): boolean {
  const trust = port.trust ?? trustProxy;
  const own = port.secure?.() === true;
  if (trust === TRUST_NONE) return own;
  const { trusted } = chainOf(port, trust);
  const protocols = entries(port.headers, "x-forwarded-proto");
  if (trusted === 0 || protocols.length === 0) return own;
  return protocols[Math.max(0, protocols.length - trusted)]?.toLowerCase() === "https";
}

/**
 * The client's address: the socket peer, or behind trusted proxies the address the last
 * trusted proxy saw (`X-Forwarded-For` walked from the right, skipping trusted hops), so
 * entries a client prepends never count.
 */
export function remoteAddressOf(port: TransportFacts, trustProxy: ProxyTrust): string | undefined {
  const trust = port.trust ?? trustProxy;
  if (trust === TRUST_NONE) return port.remoteAddress?.();
  const { addresses, trusted } = chainOf(port, trust);
  return addresses[Math.min(trusted, addresses.length - 1)];
}

/** The `https_required` refusal, naming the fixes for both ends. */
export function httpsRequired(): WebhookVerificationError {
  return new WebhookVerificationError(
    "https_required",
    "This webhook endpoint accepts HTTPS only (requireHttps) and the request arrived over plain HTTP. " +
      "Register the https:// URL with ColiVara. Behind a proxy that terminates TLS, tell the framework to trust it: " +
      'Express app.set("trust proxy", …), Fastify({ trustProxy }), or trustProxy (a hop count such as 1, or the proxies\' addresses) for Next.js, Hono and the Fetch handler; the proxy must set x-forwarded-proto.',
  );
}
