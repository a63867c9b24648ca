// The HTTP sections' servers by adapter: each builds one route ("ours", "bare", "floor" or
// "svix") as a node:http server, not listening yet.
import { expressApp } from "./express-apps.mjs";
import { fastifyApp } from "./fastify-apps.mjs";
import { observabilityApp } from "./observability-apps.mjs";
import { pagesApp } from "./pages-apps.mjs";

/** @type {Record<string, (secret: string, route: string) => Promise<import("node:http").Server>>} */
export const HTTP_APPS = {
  express: expressApp,
  fastify: fastifyApp,
  "next-pages": pagesApp,
  observability: observabilityApp,
};
