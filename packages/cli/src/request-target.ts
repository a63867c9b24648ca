/** A base no request can name: a target is resolved against it only to read its path. */
const NOWHERE = "http://listener.invalid";

/**
 * The path of a request target, whatever form it came in: origin-form (`/x`), absolute-form
 * (`http://host/x`, allowed by HTTP/1.1 for proxies) or protocol-relative (`//host/x`). Dot
 * segments are resolved, the query is dropped, and leading slashes are collapsed to one, so
 * the result can only ever name a path on the listener itself, never another host.
 *
 * @example
 * ```ts
 * pathOf("http://attacker:8080/x"); // "/x"
 * pathOf("//attacker/x?y=1"); // "/x"
 * ```
 */
export function pathOf(target: string): string {
  let pathname: string;
  try {
    pathname = new URL(target, NOWHERE).pathname;
  } catch {
    pathname = "/";
  }
  return pathname.replace(/^\/+/, "/");
}

/**
 * Where a replay (or anything else the listener sends itself) goes: the listener's own
 * origin plus a path-only target. Throws when the result would leave the origin, which
 * {@link pathOf} already rules out: a second check, not the first.
 *
 * @example
 * ```ts
 * ownUrl("http://127.0.0.1:3000", "/webhooks/colivara"); // URL http://127.0.0.1:3000/webhooks/colivara
 * ```
 */
export function ownUrl(origin: string, path: string): URL {
  const url = new URL(`${origin}${pathOf(path)}`);
  if (url.origin !== new URL(origin).origin) throw new Error(`A replay target left the listener: ${url.origin}`);
  return url;
}
