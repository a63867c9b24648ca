#!/usr/bin/env node
// Makes sure the system programs the test suite needs, which npm cannot install, are
// present before `pnpm test` runs: redis-server and redis-cli (the Redis dedupe and fault
// tests start a real server), PostgreSQL's initdb and postgres (the Postgres store's tests
// start a throwaway cluster) and Debian's chromium at /usr/bin/chromium (the inspector's
// browser tests drive it with playwright-core). As root on a machine with apt-get, the
// missing ones are installed; anywhere else the script exits 1 and says what to install.
// A missing program is never a reason to skip a test.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * What the suite needs. `binary` is looked up on PATH (and in `dirs`, and in each
 * `<versions>/<major>/bin`), or `path` is checked as is; `debian` is the apt package that
 * provides it, `brew` the Homebrew formula.
 */
export const REQUIREMENTS = [
  { name: "redis-server", binary: "redis-server", debian: "redis-server", brew: "redis" },
  // redis-cli comes with redis-tools, a dependency of redis-server.
  { name: "redis-cli", binary: "redis-cli", debian: "redis-tools", brew: "redis" },
  // Debian keeps initdb and postgres off PATH, in /usr/lib/postgresql/<major>/bin, where
  // test/support/postgres-server.ts looks for them; the package also creates the `postgres`
  // user the tests run the server as when they run as root.
  {
    name: "postgresql",
    binary: "initdb",
    versions: "/usr/lib/postgresql",
    debian: "postgresql",
    brew: "postgresql@17",
  },
  // playwright-core launches this exact path (executablePath: "/usr/bin/chromium").
  { name: "chromium", path: "/usr/bin/chromium", debian: "chromium", brew: "--cask chromium" },
];

/** Where binaries are looked for besides PATH (test/support/redis-server.ts looks there too). */
export const EXTRA_DIRS = ["/usr/bin", "/usr/local/bin"];

/** True when `file` exists and is executable. */
export function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The entries of `dir`, or none when it cannot be read. */
export function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The requirements that are not installed.
 * @param {{ PATH?: string, extraDirs?: string[], executable?: (file: string) => boolean, list?: (dir: string) => string[] }} [lookup]
 */
export function findMissing(lookup = {}) {
  const executable = lookup.executable ?? isExecutable;
  const list = lookup.list ?? listDir;
  const dirs = [...(lookup.PATH ?? "").split(delimiter).filter(Boolean), ...(lookup.extraDirs ?? EXTRA_DIRS)];
  const dirsOf = (requirement) =>
    requirement.versions
      ? [...list(requirement.versions).map((major) => join(requirement.versions, major, "bin")), ...dirs]
      : dirs;
  return REQUIREMENTS.filter((requirement) =>
    requirement.path
      ? !executable(requirement.path)
      : !dirsOf(requirement).some((dir) => executable(join(dir, requirement.binary))),
  );
}

/** The apt packages for `missing`, without redis-tools when redis-server (which pulls it in) is there. */
export function debianPackages(missing) {
  const packages = [...new Set(missing.map((requirement) => requirement.debian))];
  return packages.includes("redis-server") ? packages.filter((name) => name !== "redis-tools") : packages;
}

/** What to tell someone who has to install `missing` themselves. */
export function installHint(missing) {
  const names = missing.map((requirement) => requirement.name).join(", ");
  const brew = [...new Set(missing.map((requirement) => requirement.brew))];
  const formulas = brew.filter((name) => !name.startsWith("--cask"));
  const casks = brew.filter((name) => name.startsWith("--cask")).map((name) => name.slice("--cask ".length));
  const lines = [
    `The test suite needs ${names}, which npm cannot install. Install, then run pnpm test again:`,
    `  Debian/Ubuntu (as root): apt-get update && apt-get install -y --no-install-recommends ${debianPackages(missing).join(" ")}`,
  ];
  const mac = [
    formulas.length > 0 ? `brew install ${formulas.join(" ")}` : "",
    casks.length > 0 ? `brew install --cask ${casks.join(" ")}` : "",
  ].filter(Boolean);
  if (mac.length > 0) lines.push(`  macOS (Homebrew): ${mac.join(" && ")}`);
  if (missing.some((requirement) => requirement.path)) {
    lines.push(
      "  The browser tests launch /usr/bin/chromium: that path must exist (a symlink to your Chromium will do).",
    );
  }
  return lines.join("\n");
}

/**
 * The decision, without side effects: nothing to do, install with apt-get, or fail with a hint.
 * @param {{ missing: typeof REQUIREMENTS, uid: number | undefined, platform: string, hasAptGet: boolean }} facts
 * @returns {{ action: "none" } | { action: "install", packages: string[] } | { action: "fail", message: string }}
 */
export function decide({ missing, uid, platform, hasAptGet }) {
  if (missing.length === 0) return { action: "none" };
  if (platform === "linux" && uid === 0 && hasAptGet) return { action: "install", packages: debianPackages(missing) };
  const why =
    platform !== "linux" || !hasAptGet
      ? `this is not a machine with apt-get (${platform})`
      : "this process is not root, so it cannot run apt-get";
  return { action: "fail", message: `system-deps: ${why}.\n${installHint(missing)}` };
}

/** Runs a command with inherited output; its exit status, or 1 when it cannot start. */
function runCommand(command, args, env) {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status ?? 1;
}

/**
 * Checks, installs what is missing when it can, and returns the exit code. Every effect is
 * injectable so the decision is testable without installing anything.
 */
export function main({
  env = process.env,
  uid = process.getuid?.(),
  platform = process.platform,
  executable = isExecutable,
  list = listDir,
  extraDirs = EXTRA_DIRS,
  run = runCommand,
  log = (line) => console.log(line),
  error = (line) => console.error(line),
} = {}) {
  const lookup = { PATH: env.PATH, extraDirs, executable, list };
  const missing = findMissing(lookup);
  const hasAptGet = aptGetPresent(lookup);
  const decision = decide({ missing, uid, platform, hasAptGet });
  if (decision.action === "none") {
    log(`system-deps: ${REQUIREMENTS.map((requirement) => requirement.name).join(", ")} present`);
    return 0;
  }
  if (decision.action === "fail") {
    error(decision.message);
    return 1;
  }
  log(`system-deps: installing ${decision.packages.join(" ")} with apt-get`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
  const steps = [
    ["apt-get", ["update"]],
    ["apt-get", ["install", "-y", "--no-install-recommends", ...decision.packages]],
  ];
  for (const [command, args] of steps) {
    const status = run(command, args, aptEnv);
    if (status !== 0) {
      error(`system-deps: \`${command} ${args.join(" ")}\` failed (exit ${status}).\n${installHint(missing)}`);
      return 1;
    }
  }
  const stillMissing = findMissing(lookup);
  if (stillMissing.length > 0) {
    error(
      `system-deps: still missing after apt-get: ${stillMissing.map((requirement) => requirement.name).join(", ")}`,
    );
    return 1;
  }
  return 0;
}

/** apt-get on PATH or in the usual directories. */
function aptGetPresent({ PATH, extraDirs, executable }) {
  const dirs = [...(PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  return dirs.some((dir) => executable(join(dir, "apt-get")));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = main();
}
