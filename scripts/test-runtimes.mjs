#!/usr/bin/env node
// Installs what only the test suite needs, so the demo's `pnpm install` does not download it:
// each folder below is a workspace of its own with a committed lockfile, installed from it.
// `pnpm test` (and `pnpm typecheck`) run this first. Fast when all is already there (pnpm
// checks each lockfile and links nothing new).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WORKSPACES = [
  // Bun, Deno, workerd, and esbuild to bundle the Workers test.
  // One package, no pnpm-workspace.yaml of its own: the root's must not claim it.
  { dir: "test/runtimes/workspace", holds: "bun, deno, workerd, esbuild", own: ["--ignore-workspace"] },
  // The version matrix: Next.js 15 and NestJS 10 beside the versions the packages develop on.
  // Its folders were packages of the root workspace once: see forgetRootInstall.
  { dir: "test/matrix", holds: "next 15, nest 10", own: [], wasRoot: ["next15", "nest10"] },
  // One real app per framework recipe (docs/guide/<framework>.md).
  { dir: "test/recipes", holds: "sveltekit, nuxt, react-router, astro, elysia", own: [] },
];

// Inside `pnpm test`, npm_execpath is the pnpm that runs it (corepack's); else pnpm from PATH.
const execPath = process.env.npm_execpath;
const [command, prefix] = execPath?.includes("pnpm") ? [process.execPath, [execPath]] : ["pnpm", []];

/**
 * A checkout whose root install once linked a folder's packages keeps those links (into the
 * root's store) until they are removed, and pnpm leaves them: Next.js 15 would then load two
 * copies of React. Done once, before the workspace's first install of its own.
 */
function forgetRootInstall(path, packages = []) {
  if (existsSync(`${path}node_modules/.modules.yaml`)) return;
  for (const name of packages) rmSync(`${path}${name}/node_modules`, { recursive: true, force: true });
}

for (const { dir, holds, own, wasRoot } of WORKSPACES) {
  const path = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
  forgetRootInstall(path, wasRoot);
  const run = spawnSync(command, [...prefix, "install", "--frozen-lockfile", ...own, "--dir", path], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (run.status !== 0) {
    process.stdout.write(run.stdout ?? "");
    console.error(`Installing the test-only dependencies in ${dir} failed: see above.`);
    process.exit(run.status ?? 1);
  }
  console.log(`test-only dependencies ready: ${holds} (${dir})`);
}
