import { WebhookVerificationError } from "../shared/errors.js";
import { type IpRange, inRange, parseIp, parseRange } from "./ip-address.js";

/**
 * Whether the hop `hop` steps away from the server is a trusted proxy: hop 0 is the socket
 * peer, hop 1 the address it wrote last in `X-Forwarded-For`, and so on towards the client.
 * `address` is `undefined` where the runtime does not say who the peer is (Next.js, the
 * Fetch handler on Workers). Express's compiled `trust proxy fn` has this shape.
 */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean;

/** No proxy is trusted: the forwarding headers are the client's and count for nothing. */
export const TRUST_NONE: ProxyTrust = () => false;

/** Every hop is trusted: the client-most forwarding entries count. */
export const TRUST_ALL: ProxyTrust = () => true;

/** Express's names for common ranges, with the same meaning. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.1/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** What `trustProxy` accepts, as the option's TSDoc and README describe it. */
export type TrustProxyOption = boolean | number | string | readonly string[];

const USAGE =
  'Set trustProxy to true (every hop), a hop count such as 1 (one proxy in front), or the proxies\' addresses: "10.0.0.1", "10.0.0.0/8", ["loopback", "fc00::/7"].';

function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", `${message} ${USAGE}`);
}

function rangesOf(entry: string): readonly IpRange[] {
  const named = NAMED_RANGES[entry];
  const texts = named ?? [entry];
  return texts.map((text) => {
    const range = parseRange(text);
    if (range === undefined) {
      throw invalid(
        `trustProxy has ${JSON.stringify(entry)}, which is not an IP address, a CIDR range or a name (loopback, linklocal, uniquelocal).`,
      );
    }
    return range;
  });
}

function hopCount(count: number): ProxyTrust {
  if (!Number.isInteger(count) || count < 0) throw invalid(`trustProxy must be a whole number of hops, got ${count}.`);
  return count === 0 ? TRUST_NONE : (_address, hop) => hop < count;
}

function addressList(entries: readonly unknown[]): ProxyTrust {
  const texts = entries.flatMap((entry) => {
    if (typeof entry !== "string")
      throw invalid(`trustProxy's addresses must be strings, got ${JSON.stringify(entry)}.`);
    return entry.split(",").map((part) => part.trim());
  });
  if (texts.length === 0 || texts.includes("")) throw invalid("trustProxy has an empty address.");
  const ranges = texts.flatMap(rangesOf);
  return (address, hop) => {
    // A runtime that does not name the peer (Next.js, Workers): the user put a proxy in
    // front, and the peer is it; the hops it forwarded for are checked by address.
    if (address === undefined) return hop === 0;
    const bytes = parseIp(address);
    return bytes !== undefined && ranges.some((range) => inRange(bytes, range));
  };
}

/**
 * The `trustProxy` option, checked and compiled at start-up: `true` trusts every hop, a
 * number that many hops, addresses and CIDR ranges (IPv4, IPv6, IPv4-mapped IPv6) the
 * proxies at those addresses. Anything else throws `invalid_config` naming what to set.
 *
 * @example
 * ```ts
 * compileProxyTrust(["10.0.0.0/8", "fc00::/7"])("10.1.2.3", 0); // true
 * ```
 */
export function compileProxyTrust(value: unknown): ProxyTrust {
  if (value === undefined || value === false) return TRUST_NONE;
  if (value === true) return TRUST_ALL;
  if (typeof value === "number") return hopCount(value);
  if (typeof value === "string") return addressList([value]);
  if (Array.isArray(value)) return addressList(value);
  throw invalid(`trustProxy must be true, a hop count or addresses, got ${JSON.stringify(value)}.`);
}
