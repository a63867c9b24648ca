// Where the runtimes only the tests need live: the separate workspace scripts/test-runtimes.mjs
// installs (test/runtimes/workspace), so the demo's install does not bring them. A missing
// one fails with the command that installs it, never a skip.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(fileURLToPath(new URL("./workspace/node_modules/.bin/", import.meta.url)));

/** The path of a test-only runtime's binary (`bun`, `deno`, `workerd`, `esbuild`). */
export function runtimeBinary(name: "bun" | "deno" | "workerd" | "esbuild"): string {
  const file = join(BIN, name);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${name} is not installed for the tests: run \`node scripts/test-runtimes.mjs\` (pnpm test does).`);
  }
  return file;
}
