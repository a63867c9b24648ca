// Runs a docs sample as a user's own test file: written alone into `dir` (with any config files
// the user's project would have), then run by Vitest in a child process, outside this workspace's config.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { root } from "./readme-samples.js";

/** Vitest's exit status and output for `code` run as `dir/webhook.test.ts`. */
export function runAsUserTestFile(
  dir: string,
  code: string,
  files: Record<string, string> = {},
): { status: number | null; output: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}package.json`, '{ "type": "module" }\n');
  writeFileSync(`${dir}vitest.config.mjs`, 'export default { test: { include: ["*.test.ts"] } };\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(`${dir}${name}`, text);
  writeFileSync(`${dir}webhook.test.ts`, code);
  const run = spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "run", "--root", dir], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}
