// `pnpm check:packages`: packs every package with `pnpm pack` (as `pnpm publish` would, with
// workspace: ranges rewritten) and checks each tarball, with no problem tolerated:
// - publint, every level (errors, warnings and suggestions);
// - @arethetypeswrong/cli, every resolution mode (node10, node16 from CJS and ESM, bundler);
// - what ships: package.json, README.md, LICENSE and dist/ (plus bin/ for the CLI, BullMQ and Postgres,
//   and the agent skill SKILL.md for the core), no sources, tests or configs; no workspace:
//   ranges; the metadata users and npm read; the core without runtime dependencies.
// Expects built packages (`pnpm build`, which the script in package.json runs first).
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const attw = join(root, "node_modules/.bin/attw");
const REQUIRED_FIELDS = ["description", "keywords", "license", "repository", "engines", "exports", "types", "files"];

const dest = await mkdtemp(join(tmpdir(), "colivara-packs-"));
let failures = 0;
const fail = (name, message) => {
  failures += 1;
  console.error(`✗ ${name}: ${message}`);
};

try {
  const dirs = (await readdir(join(root, "packages"))).sort();
  for (const dir of dirs) {
    const pkgDir = join(root, "packages", dir);
    const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", dest], { cwd: pkgDir });
    const packed = JSON.parse(stdout);
    const { name, filename } = packed;
    const files = packed.files.map((f) => f.path).sort();
    const tarball = await readFile(filename);
    const manifest = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
    let problems = 0;
    const problem = (message) => {
      problems += 1;
      fail(name, message);
    };

    // publint on the tarball's own files.
    const { messages, pkg } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: "suggestion",
      strict: true,
    });
    for (const message of messages) problem(`publint ${message.type}: ${formatMessage(message, pkg)}`);

    // Are the types wrong? Every entry point, every resolution mode.
    try {
      await run(attw, [filename, "--format", "ascii", "--no-color"], { cwd: root });
    } catch (error) {
      problem(`attw found problems:\n${error.stdout}${error.stderr}`);
    }

    // What ships.
    // The core carries the agent skill, so that it arrives with `npm install @colivara/webhooks`.
    const topLevel = ["package.json", "README.md", "LICENSE", ...(dir === "core" ? ["SKILL.md"] : [])];
    for (const required of topLevel) {
      if (!files.includes(required)) problem(`the tarball has no ${required}`);
    }
    if (dir === "core") checkSkill(await readFile(join(pkgDir, "SKILL.md"), "utf8"), problem);
    const allowed = ["cli", "bullmq", "postgres"].includes(dir) ? /^(dist|bin)\// : /^dist\//;
    for (const file of files) {
      if (!topLevel.includes(file) && !allowed.test(file)) {
        problem(`the tarball ships ${file}`);
      }
    }
    // pkg is the packed package.json: workspace: ranges must have been rewritten.
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
        if (String(range).startsWith("workspace:")) problem(`${field}.${dep} is still ${range}`);
      }
    }
    for (const field of REQUIRED_FIELDS) if (pkg[field] === undefined) problem(`package.json has no "${field}"`);
    if (pkg.license !== "MIT") problem(`license is ${pkg.license}, not MIT`);
    if (pkg.publishConfig?.access !== "public") problem(`publishConfig.access is not "public"`);
    if (pkg.engines?.node !== manifest.engines?.node) problem("engines.node differs from the source package.json");
    if (dir === "core" && Object.keys(pkg.dependencies ?? {}).length > 0) {
      problem(`the core must have no runtime dependencies, has ${Object.keys(pkg.dependencies).join(", ")}`);
    }
    if (problems === 0)
      console.info(`✓ ${name}@${pkg.version}: publint, attw and contents clean (${files.length} files)`);
  }
} finally {
  await rm(dest, { recursive: true, force: true });
}

/**
 * The skill is read by coding agents: a front matter with its name and when to use it, and
 * the steps and pitfalls of adding the pack to an app.
 */
function checkSkill(text, problem) {
  const front = /^---\nname: ([a-z0-9-]+)\ndescription: (.+)\n---\n/.exec(text);
  if (!front) problem("SKILL.md has no front matter with name and description");
  for (const topic of ["COLIVARA_WEBHOOK_SECRET", "Raw body first", "Route order", "Exactly once", "handOff"]) {
    if (!text.includes(topic)) problem(`SKILL.md does not cover ${topic}`);
  }
}

if (failures > 0) {
  console.error(`\n${failures} problem(s) in the packed packages.`);
  process.exit(1);
}
