// Express section: requests/s of a verified route against a bare express.raw() route and
// against the hand-written express.raw() + svix route, same bodies, one run.
import { fileURLToPath } from "node:url";
import { compareRoutes } from "./http-load.mjs";

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export function expressSection({ quick = false, log = () => {} } = {}) {
  return compareRoutes({
    name: "express",
    title: "Express: verified route vs bare express.raw() vs express.raw() + svix (autocannon, 32 connections)",
    script: fileURLToPath(new URL("./servers/express-servers.mjs", import.meta.url)),
    bare: "bare express.raw()",
    svix: "express.raw() + svix",
    quick,
    log,
  });
}
