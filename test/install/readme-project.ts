// A fresh npm project for one README install line: its own package.json ("type": "module"),
// the line run with npm as written but with our packages replaced by the packed tarballs
// (`overrides` sends every transitive @colivara/* dependency to its tarball too), then the
// README's quickstart or commands started in it as separate processes.
import { existsSync, realpathSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { Sample } from "../docs/readme-samples.js";
import { epilogueOf, kindOf } from "../docs/sample-servers.js";
import { type Running, startProcess } from "../e2e/cli-support.js";
import { MiB, run } from "./packed.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The environment without the npm_config_* variables pnpm sets for its scripts, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

/**
 * Creates `dir` with a package.json whose `overrides` point every @colivara package that
 * no install line names at its tarball (npm refuses an override of a direct dependency).
 */
export async function createProject(dir: string, tarballs: Record<string, string>, named: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const overrides = Object.fromEntries(
    Object.entries(tarballs)
      .filter(([name]) => !named.includes(name))
      .map(([name, file]) => [name, `file:${file}`]),
  );
  const manifest = { name: basename(dir), private: true, type: "module", overrides };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Runs npm in `dir`; a failure throws with npm's output. */
export async function npm(dir: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run("npm", args, { cwd: dir, env: cleanEnv(), maxBuffer: 16 * MiB });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed in ${dir}:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/** Runs one README install line in `dir`, our packages as tarballs; returns npm's warnings. */
export async function installLine(dir: string, line: string[], tarballs: Record<string, string>): Promise<string> {
  const args = line.slice(1).map((word) => tarballs[word] ?? word);
  const { stderr } = await npm(dir, [...args, "--no-audit", "--no-fund", "--prefer-offline"]);
  return stderr;
}

/** Where npm put each @colivara package (top level or nested), from the project's lockfile. */
export async function installedColivara(dir: string): Promise<{ path: string; name: string; resolved: string }[]> {
  const lock = JSON.parse(await readFile(join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { resolved?: string; name?: string }>;
  };
  return Object.entries(lock.packages)
    .filter(([path]) => /(^|\/)node_modules\/@colivara\/[^/]+$/.test(path))
    .map(([path, entry]) => ({
      path,
      name: entry.name ?? (path.match(/@colivara\/[^/]+$/) as RegExpMatchArray)[0],
      resolved: entry.resolved ?? "",
    }));
}

/** Whether `name` is installed in the project, where a `import` from its root would find it. */
export const hasPackage = (dir: string, name: string): boolean =>
  existsSync(join(dir, "node_modules", name, "package.json"));

/** npx's own script, run with this node (the one next to it). */
export const npxCli: string = realpathSync(join(dirname(process.execPath), "npx"));

/**
 * Compiles the sample as a user's TypeScript would be (types erased, nothing else) to
 * `quickstart.mjs` in the project and starts it there with node; resolves once it answers
 * HTTP, with the URL of its webhook route.
 */
export async function startQuickstart(
  dir: string,
  sample: Sample,
  env: Record<string, string>,
): Promise<{ url: string; started: Running }> {
  const { outputText } = ts.transpileModule(`${sample.code}${epilogueOf(sample)}`, {
    // Nest's decorators are TypeScript's legacy ones, as every Nest project's tsconfig sets them.
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  await writeFile(join(dir, "quickstart.mjs"), outputText);
  await cp(join(fixtures, "serve-sample.mjs"), join(dir, "serve-sample.mjs"));
  const started = startProcess(["serve-sample.mjs", String(kindOf(sample))], { cwd: dir, env: cleanEnv(env) });
  const [, port] = await started.waitFor(/^\{"listening":(\d+)\}$/m);
  return { url: `http://127.0.0.1:${port}/webhooks/colivara`, started };
}
