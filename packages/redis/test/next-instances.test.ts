// Next.js: fixtures/next-app is built once with `next build`, then every instance is its own
// process serving that build through Next's request handler (fixtures/next-instance.mjs).
// Both routers: the App Router route (withColivaraWebhook, settles from the Response) and
// the Pages Router API route (withColivaraWebhookPages, settles when the response finishes).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";
import { multiInstanceSuite } from "./multi-instance-suite.js";

const appDir = fileURLToPath(new URL("./fixtures/next-app/", import.meta.url));
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

beforeAll(async () => {
  const child = spawn(process.execPath, [nextBin, "build"], {
    cwd: appDir,
    // Vitest runs with NODE_ENV=test; Next must make a production build.
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`next build of ${appDir} failed (exit ${code}):\n${output}`);
}, 300_000);

multiInstanceSuite({ name: "Next.js App Router", script: "next-instance.mjs", path: "/api/webhooks/colivara" });
multiInstanceSuite({ name: "Next.js Pages Router", script: "next-instance.mjs", path: "/api/pages/webhooks/colivara" });
