// Next.js: fixtures/next-app is built once with `next build`, then every instance is its own
// process serving that build through Next's request handler (fixtures/next-instance.mjs).
// Both routers: the App Router route (withColivaraWebhook, settles from the Response) and
// the Pages Router API route (withColivaraWebhookPages, settles when the response finishes).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";
import { buildNextApp } from "../../../test/e2e/next-server.js";
import { multiInstanceSuite } from "./multi-instance-suite.js";

const appDir = fileURLToPath(new URL("./fixtures/next-app/", import.meta.url));
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

// Vitest runs with NODE_ENV=test; the helper makes a production build.
beforeAll(() => buildNextApp(appDir, nextBin), 300_000);

multiInstanceSuite({ name: "Next.js App Router", script: "next-instance.mjs", path: "/api/webhooks/colivara" });
multiInstanceSuite({ name: "Next.js Pages Router", script: "next-instance.mjs", path: "/api/pages/webhooks/colivara" });
