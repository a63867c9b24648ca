import type { IncomingMessage } from "node:http";

/** The names a page on this machine reaches the listener by; a rebinding page sends its own. */
function ownHosts(origin: string): string[] {
  const { port } = new URL(origin);
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Whether the request names the listener itself (`Host: 127.0.0.1:<port>` or
 * `localhost:<port>`): a DNS-rebinding page sends its own host name instead.
 *
 * @example
 * ```ts
 * if (!isOwnHost(req, "http://127.0.0.1:3000")) res.writeHead(403).end();
 * ```
 */
export function isOwnHost(req: IncomingMessage, origin: string): boolean {
  return ownHosts(origin).includes(req.headers.host ?? "");
}

/**
 * Whether the request comes from another web origin: browsers send `Origin` on every POST
 * and on cross-origin reads, webhook senders never do. Absent means not a browser page.
 *
 * @example
 * ```ts
 * if (hasForeignOrigin(req, "http://127.0.0.1:3000")) res.writeHead(403).end();
 * ```
 */
export function hasForeignOrigin(req: IncomingMessage, origin: string): boolean {
  const sent = req.headers.origin;
  if (sent === undefined) return false;
  return !ownHosts(origin).some((host) => sent === `http://${host}`);
}

/**
 * What the listener answers to anyone but a sender: the inspector, the favicon and every
 * request that is not a POST need the listener's own Host, and no request may carry another
 * web origin. A POST through a tunnel (another Host, no Origin) is a delivery and passes.
 *
 * @example
 * ```ts
 * if (!isAllowed(req, origin, { inspector: false })) return refuse(res);
 * ```
 */
export function isAllowed(req: IncomingMessage, origin: string, route: { inspector: boolean }): boolean {
  if (hasForeignOrigin(req, origin)) return false;
  if (route.inspector || req.method !== "POST") return isOwnHost(req, origin);
  return true;
}
