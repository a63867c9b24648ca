// A copy of examples/next built and started with another Next.js major (the version matrix):
// the example's sources are copied into a temporary directory whose node_modules links to a
// fixture project (test/matrix/<name>/) that installs that major side by side with the
// example's own. Built, started and read back exactly as test/e2e does with the example.
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNextApp, exampleDir, type RunningExample, startNextApp } from "../e2e/next-server.js";

const COPIED = ["app", "pages", "lib", "next.config.ts", "tsconfig.json"];

export interface MatrixNextApp {
  dir: string;
  /** The Next.js version the fixture installed, from its package.json. */
  version: string;
  build(): Promise<{ seconds: number }>;
  start(secret: string | undefined): Promise<RunningExample>;
  remove(): Promise<void>;
}

/** Copies examples/next next to the Next.js installed by test/matrix/<fixture>/. */
export async function prepareNextApp(fixture: string): Promise<MatrixNextApp> {
  const fixtureModules = fileURLToPath(new URL(`./${fixture}/node_modules/`, import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), `colivara-${fixture}-`));
  for (const entry of COPIED) await cp(join(exampleDir, entry), join(dir, entry), { recursive: true });
  await symlink(fixtureModules, join(dir, "node_modules"), "dir");
  const nextBin = join(dir, "node_modules/next/dist/bin/next");
  const version = (createRequire(join(dir, "package.json"))("next/package.json") as { version: string }).version;

  const build = () => buildNextApp(dir, nextBin);
  const start = (secret: string | undefined) => startNextApp(dir, nextBin, secret);
  return { dir, version, build, start, remove: () => rm(dir, { recursive: true, force: true }) };
}
