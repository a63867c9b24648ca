import type { Application, RequestHandler } from "express";

/** What a router's stack holds, in Express 4 (`regexp.fast_slash`) and 5 (`slash`). */
interface Layer {
  handle?: { stack?: unknown };
  route?: unknown;
  slash?: boolean;
  regexp?: { fast_slash?: boolean };
}

/** The app's own router: `app._router` in Express 4 (whose `app.router` throws), `app.router` in 5. */
function routerOf(app: Application): { stack?: unknown } | undefined {
  const legacy = app as Application & { _router?: { stack?: unknown } };
  if ("_router" in legacy) return legacy._router;
  try {
    return (app as Application & { router?: { stack?: unknown } }).router;
  } catch {
    return undefined; // Express 4 before its router exists: nothing found, so fail closed.
  }
}

/** Every `use()` layer that holds `middleware`, in the app's router and the Routers inside it. */
function layersOf(stack: unknown, middleware: RequestHandler, found: Layer[], seen: Set<unknown>): void {
  if (!Array.isArray(stack) || seen.has(stack)) return;
  seen.add(stack);
  for (const layer of stack as Layer[]) {
    if (layer.handle === middleware) found.push(layer);
    else if (layer.route === undefined) layersOf(layer.handle?.stack, middleware, found, seen);
  }
}

/**
 * True when every place `middleware` is mounted in the request's app is a `use()` without a
 * path (`app.use(mw)`, `router.use(mw)`): then a Router's paths are relative to its mount and
 * the middleware takes only the webhook path. The request alone cannot tell `router.use(mw)`
 * in a Router mounted at `/api` from `app.use("/api", mw)` (both show `baseUrl` "/api"), so
 * this reads the router stacks; anything else (a path, a copy of Express whose stack reads
 * differently, the middleware not found) answers false, and the middleware then verifies
 * everything under its mount: the reading that fails closed.
 */
export function mountedWithoutPath(app: Application, middleware: RequestHandler): boolean {
  const found: Layer[] = [];
  layersOf(routerOf(app)?.stack, middleware, found, new Set());
  return found.length > 0 && found.every((layer) => layer.slash === true || layer.regexp?.fast_slash === true);
}
