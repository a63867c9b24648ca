// Fastify section: requests/s of a route verified by the plugin against a bare Fastify route
// (its own JSON parsing, no verification) and against the hand-written raw-buffer + svix
// route, same bodies, servers in their own process.
import { fileURLToPath } from "node:url";
import { compareRoutes } from "./http-load.mjs";

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export function fastifySection({ quick = false, log = () => {} } = {}) {
  return compareRoutes({
    name: "fastify",
    title: "Fastify: plugin-verified route vs bare JSON route vs raw-buffer + svix (autocannon, 32 connections)",
    script: fileURLToPath(new URL("./servers/fastify-servers.mjs", import.meta.url)),
    bare: "bare Fastify route",
    svix: "a hand-written raw-buffer + svix route",
    quick,
    log,
  });
}
