#!/usr/bin/env node
// Installs the runtimes only the test suite needs (Bun, Deno, workerd, and esbuild to bundle
// the Workers test) into their own workspace, test/runtimes/workspace, from its committed
// lockfile: `pnpm test` runs it, so the demo's `pnpm install` does not download them. Fast
// when they are already there (pnpm checks the lockfile and links nothing new).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../test/runtimes/workspace/", import.meta.url));
// Inside `pnpm test`, npm_execpath is the pnpm that runs it (corepack's); else pnpm from PATH.
const execPath = process.env.npm_execpath;
const [command, prefix] = execPath?.includes("pnpm") ? [process.execPath, [execPath]] : ["pnpm", []];
const run = spawnSync(command, [...prefix, "install", "--frozen-lockfile", "--ignore-workspace", "--dir", dir], {
  stdio: ["ignore", "pipe", "inherit"],
  encoding: "utf8",
});
if (run.status !== 0) {
  process.stdout.write(run.stdout ?? "");
  console.error("Installing the test-only runtimes (test/runtimes/workspace) failed: see above.");
  process.exit(run.status ?? 1);
}
console.log("test runtimes ready: bun, deno, workerd, esbuild (test/runtimes/workspace)");
