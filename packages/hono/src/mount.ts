import type { Context } from "hono";

/** A route as Hono's router keeps it; without `basePath` (older Hono 4) a mount under a base fails closed. */
interface MatchedRoute {
  path: string;
  basePath?: string;
}

/** `path` below `base` (a base path, perhaps with parameters), segment by segment. */
function below(base: string, path: string): string {
  const depth = base.split("/").filter((segment) => segment !== "").length;
  return `/${path
    .split("/")
    .slice(1 + depth)
    .join("/")}`;
}

/** `use(mw)` or `use("*", mw)` under `base`: Hono stores it as `${base}/*`. */
function isPathless(route: MatchedRoute, base: string): boolean {
  return route.path === "*" || route.path === `${base.replace(/\/$/, "")}/*`;
}

/**
 * On a route or a prefix of its own, always. Mounted without a path (`app.use(mw)`, also
 * under `basePath()` or `route()`, where `path` is relative to that base), on the webhook
 * path only: the path Hono routed this request by (`c.req.path`: percent-escapes decoded, the
 * trailing slash dropped under `strict: false`), in any spelling a router could take for it.
 * Which form it is comes from the route Hono matched for it; without that to read, it fails
 * closed: it acts.
 */
export function actsOn(c: Context, appliesTo: (pathname: string) => boolean): boolean {
  const matched = (c.req as { matchedRoutes?: readonly MatchedRoute[] }).matchedRoutes;
  const current = matched?.[c.req.routeIndex];
  if (matched === undefined || current === undefined) return true;
  const base = current.basePath ?? "/";
  return !isPathless(current, base) || appliesTo(below(base, c.req.path));
}
