// The multi-instance suite on Next.js, for any store: fixtures/next-app built once per test
// file with `next build` into its own directory (`.next-<build>`), so the Redis and Postgres
// test files can build and serve it at the same time, then every instance is its own process
// serving that build through Next's request handler (fixtures/next-instance.mjs). Both
// routers: the App Router route (withColivaraWebhook, settles from the Response) and the
// Pages Router API route (withColivaraWebhookPages, settles when the response finishes).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";
import { buildNextApp } from "../../../test/e2e/next-server.js";
import { multiInstanceSuite, type SharedStore } from "./multi-instance-suite.js";

const appDir = fileURLToPath(new URL("./fixtures/next-app/", import.meta.url));
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

/** Both routers' suites on `store` (default Redis), from a build in `fixtures/next-app/.next-<build>`. */
export function nextInstancesSuite(build: string, store?: SharedStore): void {
  const distDir = `.next-${build}`;
  // Vitest runs with NODE_ENV=test; the helper makes a production build.
  beforeAll(() => buildNextApp(appDir, nextBin, { distDir }), 300_000);
  const env = { COLIVARA_NEXT_DIST_DIR: distDir };
  const common = { script: "next-instance.mjs", env, ...(store === undefined ? {} : { store }) };
  multiInstanceSuite({ name: "Next.js App Router", path: "/api/webhooks/colivara", ...common });
  multiInstanceSuite({ name: "Next.js Pages Router", path: "/api/pages/webhooks/colivara", ...common });
}
