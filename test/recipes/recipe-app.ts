// One recipe app (test/recipes/<framework>/): built once with the framework's own CLI, without
// the secret, then started as its production server on 127.0.0.1 and sent deliveries over real
// HTTP. The apps import @colivara/webhooks as a user does, through node_modules (a link to
// packages/core, whose exports name only the built dist): `pnpm build` first. The recipe
// workspace is installed by scripts/test-runtimes.mjs (`pnpm test` runs it).
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { freePort } from "../support/free-port.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/** How one recipe app is built and started. */
export interface RecipeApp {
  /** Its folder under test/recipes, and the name of its docs page under docs/guide. */
  name: string;
  /** The route file, relative to its folder: the docs page shows it whole. */
  route: string;
  /** The framework's build command (a binary in the app's node_modules/.bin), if it has one. */
  build?: string[];
  /**
   * How the route is type-checked: the tsconfig (relative to its folder) that the framework's
   * generated types plug into, and a command that generates them if the build does not.
   */
  typecheck: { project: string; generate?: string[] };
  /**
   * Where a missing secret shows: the server refuses to start (it imports the route when it
   * starts), or the first request to the route answers 500 (it loads the route then).
   */
  missingSecret: "start" | "request";
  /** The framework's check that refuses cross-site form posts, if it has one (its setting's name). */
  formCheck?: string;
  /** The production server: a command and its arguments, run in the app's folder. */
  start: () => { command: string; args: string[] };
}

/** The app's folder. */
export function appDir(app: RecipeApp): string {
  return fileURLToPath(new URL(`./${app.name}/`, import.meta.url));
}

/**
 * Where the app's own `import "@colivara/webhooks"` leads: the folder its node_modules links
 * to, and the file Node resolves from the app's folder (bundlers follow the same exports).
 */
export function resolvedCore(app: RecipeApp): { linked: string; entry: string } {
  const linked = realpathSync(join(appDir(app), "node_modules/@colivara/webhooks"));
  const script = "console.log(import.meta.resolve('@colivara/webhooks'))";
  const entry = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: appDir(app),
    encoding: "utf8",
  }).trim();
  return { linked, entry };
}

/** The core's folder and its built entry (a file URL). */
export const builtCore: { linked: string; entry: string } = {
  linked: join(root, "packages/core"),
  entry: pathToFileURL(join(root, "packages/core/dist/index.mjs")).href,
};

/** The code blocks of the app's docs page titled with a file name (```ts [src/file.ts]), by that name. */
export function docsFiles(app: RecipeApp): Map<string, string> {
  const page = readFileSync(join(root, `docs/guide/${app.name}.md`), "utf8");
  const blocks = [...page.matchAll(/^```\w+ \[([^\]\n]+)\]\n([\s\S]*?)^```$/gm)];
  return new Map(blocks.map((block) => [block[1] as string, block[2] as string]));
}

/** The route file as committed. */
export function routeSource(app: RecipeApp): string {
  return readFileSync(join(appDir(app), app.route), "utf8");
}

/** Vitest runs with NODE_ENV=test and the caller's environment; the app gets a production one. */
function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NUXT_TELEMETRY_DISABLED: "1",
    ASTRO_TELEMETRY_DISABLED: "1",
    NO_COLOR: "1",
  };
  delete env.COLIVARA_WEBHOOK_SECRET;
  return { ...env, ...extra };
}

/** Runs the framework's build, without the secret (a build must not need it); resolves to its seconds. */
export async function buildApp(app: RecipeApp): Promise<number> {
  if (!app.build) return 0;
  const started = performance.now();
  await runBin(app, app.build);
  return (performance.now() - started) / 1000;
}

/** A binary of the app's node_modules/.bin, run in its folder; throws with its output when it fails. */
async function runBin(app: RecipeApp, command: string[]): Promise<string> {
  const [bin, ...args] = command as [string, ...string[]];
  try {
    const { stdout } = await run(join(appDir(app), "node_modules/.bin", bin), args, {
      cwd: appDir(app),
      env: appEnv({}),
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command.join(" ")} failed in test/recipes/${app.name}:\n${stdout}\n${stderr}`);
  }
}

/**
 * Type-checks the app (after its build, which writes the framework's generated types) with
 * the repository's TypeScript; resolves to the files the program holds, so a test can check
 * that the route is one of them.
 */
export async function typecheckApp(app: RecipeApp): Promise<{ errors: string; files: string[] }> {
  if (app.typecheck.generate) await runBin(app, app.typecheck.generate);
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const args = [tsc, "-p", join(appDir(app), app.typecheck.project), "--noEmit", "--listFiles"];
  // One run prints both: the program's files (absolute paths) and the errors (relative ones).
  const stdout = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  const lines = stdout.split("\n").filter(Boolean);
  const files = lines.filter((line) => line.startsWith("/"));
  return { errors: lines.filter((line) => !line.startsWith("/")).join("\n"), files };
}

/** A started production server of a recipe app. */
export interface RunningApp {
  url: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Kills the server's process; resolves once it has ended. */
  stop(): Promise<void>;
}

/** Starts the app's production server on a free port of 127.0.0.1 and waits until it answers. */
export async function startApp(app: RecipeApp, secret: string | undefined): Promise<RunningApp> {
  const port = await freePort();
  const { command, args } = app.start();
  const child: ChildProcess = spawn(command, args, {
    cwd: appDir(app),
    env: appEnv({ ...(secret ? { COLIVARA_WEBHOOK_SECRET: secret } : {}), PORT: String(port), HOST: "127.0.0.1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Resolves once the process ended and its output is all read.
  const closed = once(child, "close").catch(() => undefined);
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`${url}/webhooks/colivara`);
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        await closed;
        throw new Error(`test/recipes/${app.name} did not serve on ${port}: ${String(error)}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      child.kill("SIGKILL");
      await closed;
    },
  };
}
