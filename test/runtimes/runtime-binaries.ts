// Where the runtimes only the tests need live: the separate workspace scripts/test-runtimes.mjs
// installs (test/runtimes/workspace), so the demo's install does not bring them. A missing
// one fails with the command that installs it, never a skip.
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const WORKSPACE = fileURLToPath(new URL("./workspace/", import.meta.url));

function installed(name: string, file: string): string {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${name} is not installed for the tests: run \`node scripts/test-runtimes.mjs\` (pnpm test does).`);
  }
  return file;
}

/** The path of a test-only runtime's binary (`bun`, `deno`, `workerd`, `esbuild`). */
export function runtimeBinary(name: "bun" | "deno" | "workerd" | "esbuild"): string {
  return installed(name, join(WORKSPACE, "node_modules/.bin", name));
}

/**
 * The runtime's own executable, for a server a test spawns and later kills: the .bin entries
 * of Bun (a shell script) and workerd (a Node script) start it as their child, so killing them
 * would leave the server running.
 */
export function serverBinary(name: "bun" | "workerd"): string {
  if (name === "bun") return installed(name, join(WORKSPACE, "node_modules/bun/bin/bun.exe"));
  let file = "";
  try {
    // The workerd package's main exports the path of the platform's binary.
    file = (createRequire(join(WORKSPACE, "package.json"))("workerd") as { default: string }).default;
  } catch {
    // Not installed: installed() says what to run.
  }
  return installed(name, file);
}
