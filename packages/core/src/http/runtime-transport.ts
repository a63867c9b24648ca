import { WebhookVerificationError } from "../shared/errors.js";
import { type ProxyTrust, TRUST_NONE } from "./proxy-trust.js";

/** The JavaScript runtime a Fetch handler is created on, as far as it can be told at start-up. */
export type FetchRuntime = "bun" | "deno" | "workers" | "node" | "unknown";

/**
 * Which runtime this is. Deno and Bun also define `process`, so they are asked first.
 *
 * @example
 * ```ts
 * if (currentRuntime() === "bun") console.log("Bun.serve builds request.url from the connection");
 * ```
 */
export function currentRuntime(): FetchRuntime {
  const scope = globalThis as { Deno?: unknown; Bun?: unknown; navigator?: { userAgent?: unknown } };
  if (scope.Deno !== undefined) return "deno";
  if (scope.Bun !== undefined) return "bun";
  if (scope.navigator?.userAgent === "Cloudflare-Workers") return "workers";
  return typeof process !== "undefined" && process.versions?.node !== undefined ? "node" : "unknown";
}

/**
 * Whether the runtime's `request.url` scheme is the connection's. Only Bun.serve builds it
 * from the listener (checked over a raw socket): Deno.serve and @hono/node-server copy it
 * from an absolute request target (`POST https://host/path HTTP/1.1`), which the client
 * writes, and Next.js from `x-forwarded-proto`. Elsewhere the scheme is not evidence.
 *
 * @example
 * ```ts
 * const secure = urlSchemeIsConnection(currentRuntime()) ? (request: Request) => request.url.startsWith("https:") : undefined;
 * ```
 */
export function urlSchemeIsConnection(runtime: FetchRuntime): boolean {
  return runtime === "bun";
}

const NO_CONNECTION_FACT: Record<FetchRuntime, string> = {
  bun: "",
  deno: "Deno.serve takes request.url's scheme from the request target, which any client writes (POST https://… over plain HTTP), and tells nothing else about TLS. A Deno.serve that terminates TLS itself (cert and key) accepts nothing else: drop requireHttps.",
  workers:
    "A Worker sees no connection fact this package can check. Cloudflare's edge terminates TLS: make the zone HTTPS-only (Always Use HTTPS) and drop requireHttps.",
  node: "On Node, the Request a Fetch handler gets carries no connection fact: servers such as @hono/node-server take request.url's scheme from the request target, which any client writes. Use the Express, Fastify or Hono adapter, which read the socket.",
  unknown:
    "This runtime's Request carries no connection fact this package can check (request.url's scheme may come from the request target, which any client writes).",
};

/**
 * Refuses, at start-up, `requireHttps` where no request could ever pass it: no trusted
 * proxy and a runtime that gives no connection fact. `where` names the adapter.
 *
 * @example
 * ```ts
 * checkHttpsDecidable({ requireHttps: true, trust: TRUST_NONE, runtime: "deno", where: "createWebhookHandler" }); // throws
 * ```
 */
export function checkHttpsDecidable(settings: {
  requireHttps: boolean;
  trust: ProxyTrust;
  runtime: FetchRuntime;
  where: string;
  reason?: string | undefined;
}): void {
  const { requireHttps, trust, runtime, where } = settings;
  if (!requireHttps || trust !== TRUST_NONE) return;
  const reason = settings.reason ?? NO_CONNECTION_FACT[runtime];
  if (reason === "") return;
  throw new WebhookVerificationError(
    "invalid_config",
    `requireHttps cannot be decided here (${where}) without a trusted proxy: every delivery would be refused. ${reason} ` +
      "Behind a proxy that terminates TLS and sets x-forwarded-proto, set trustProxy to its hop count (1 for one proxy, as on Vercel) or its addresses.",
  );
}

/**
 * The socket peer's address from what the runtime hands a Fetch handler besides the request:
 * Deno.serve's `info.remoteAddr`, Bun.serve's `server.requestIP(request)`.
 *
 * @example
 * ```ts
 * Deno.serve((request, info) => handler(request, info)); // peerOf("deno", request, info) === info.remoteAddr.hostname
 * ```
 */
export function peerOf(runtime: FetchRuntime, request: Request, info: unknown): string | undefined {
  if (info === null || typeof info !== "object") return undefined;
  if (runtime === "deno") {
    const hostname = (info as { remoteAddr?: { hostname?: unknown } }).remoteAddr?.hostname;
    return typeof hostname === "string" ? hostname : undefined;
  }
  if (runtime === "bun") {
    const server = info as { requestIP?: (request: Request) => { address?: unknown } | null };
    const address = typeof server.requestIP === "function" ? server.requestIP(request)?.address : undefined;
    return typeof address === "string" ? address : undefined;
  }
  return undefined;
}
