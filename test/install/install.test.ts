// What a user installs: every package packed with `pnpm pack` (workspace: ranges rewritten,
// only the `files` that ship), installed with npm from the tarballs into fresh projects
// under the OS temp directory, outside this workspace, next to the frameworks from the
// npm registry. One npm install, shared through the parent node_modules, serves four
// projects, each with its own package.json:
// - esm/ ("type": "module") imports every public entry point; cjs/ ("type": "commonjs")
//   requires them. Both run deliveries signed with node:crypto through the core's Fetch
//   handler, Express (real HTTP on 127.0.0.1), Fastify (inject), Hono (app.request) and the
//   Next.js App Router wrapper, and check a forged one is refused (fixtures/run-checks.cjs).
// - ts-nodenext/ type-checks fixtures/program.mts as ESM (.ts in a "type": "module" project)
//   and as CommonJS (.cts) under `module: nodenext`, then runs what tsc emitted.
// - ts-bundler/ type-checks the same program under `moduleResolution: bundler`.
// Next.js itself is only imported here; next build and next start run in test/e2e and
// test/matrix. Each README's own install line, in a project of its own, is
// readme-lines.test.ts.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../docs/readme-samples.js";
import { MiB, packageDirs, packEveryPackage, run } from "./packed.js";
import { cleanEnv } from "./readme-project.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function manifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(root, dir, "package.json"), "utf8")) as Manifest;
}

/** The framework versions the workspace develops against, so the two never drift apart. */
async function frameworkRanges(): Promise<Record<string, string>> {
  const [rootPkg, express, fastify, hono, next, bullmq, example] = await Promise.all([
    manifest("."),
    manifest("packages/express"),
    manifest("packages/fastify"),
    manifest("packages/hono"),
    manifest("packages/next"),
    manifest("packages/bullmq"),
    manifest("examples/next"),
  ]);
  const pick = (pkg: Manifest, name: string): string => {
    const range = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name];
    if (range === undefined) throw new Error(`${pkg.name} does not depend on ${name}`);
    return range;
  };
  return {
    express: pick(express, "express"),
    "@types/express": pick(express, "@types/express"),
    fastify: pick(fastify, "fastify"),
    hono: pick(hono, "hono"),
    next: pick(next, "next"),
    bullmq: pick(bullmq, "bullmq"),
    ioredis: pick(bullmq, "ioredis"),
    react: pick(example, "react"),
    "react-dom": pick(example, "react-dom"),
    typescript: pick(rootPkg, "typescript"),
    "@types/node": pick(rootPkg, "@types/node"),
  };
}

let work: string;
let app: string;
let tarballs: Record<string, string> = {};

async function node(args: string[], cwd = app): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, args, { cwd, env: cleanEnv(), maxBuffer: 16 * MiB });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

const tsc = (project: string) => node([join(app, "node_modules/typescript/bin/tsc"), "-p", project]);

beforeAll(async () => {
  const started = performance.now();
  work = await mkdtemp(join(tmpdir(), "colivara-install-"));
  app = join(work, "app");
  // `pnpm pack` each built package (`pnpm test` builds first).
  tarballs = await packEveryPackage(join(work, "packs"));

  const dependencies: Record<string, string> = await frameworkRanges();
  for (const [name, file] of Object.entries(tarballs)) dependencies[name] = `file:${file}`;
  await mkdir(app, { recursive: true });
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify({ name: "colivara-install-test", private: true, dependencies }, null, 2)}\n`,
  );

  // The four projects.
  const project = async (dir: string, type: "module" | "commonjs", files: Record<string, string>) => {
    await mkdir(join(app, dir), { recursive: true });
    await writeFile(join(app, dir, "package.json"), `${JSON.stringify({ type })}\n`);
    for (const [to, from] of Object.entries(files)) await cp(join(fixtures, from), join(app, dir, to));
  };
  await cp(join(fixtures, "run-checks.cjs"), join(app, "run-checks.cjs"));
  await project("esm", "module", { "check.js": "esm-check.mjs", "edge.js": "edge-check.mjs" });
  await project("cjs", "commonjs", { "check.js": "cjs-check.cjs" });
  await project("ts-nodenext", "module", { "program.ts": "program.mts", "program.cts": "program.mts" });
  await project("ts-bundler", "module", { "program.ts": "program.mts" });
  const common = { target: "es2022", types: ["node"], strict: true, esModuleInterop: true, skipLibCheck: true };
  const tsconfig = (compilerOptions: object, files: string[]) =>
    `${JSON.stringify({ compilerOptions: { ...common, ...compilerOptions }, files }, null, 2)}\n`;
  await writeFile(
    join(app, "ts-nodenext/tsconfig.json"),
    tsconfig({ module: "nodenext", moduleResolution: "nodenext", lib: ["es2022"], outDir: "out", rootDir: "." }, [
      "program.ts",
      "program.cts",
    ]),
  );
  await writeFile(
    join(app, "ts-bundler/tsconfig.json"),
    tsconfig(
      { module: "preserve", moduleResolution: "bundler", lib: ["es2022", "dom", "dom.iterable"], noEmit: true },
      ["program.ts"],
    ),
  );

  try {
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
      cwd: app,
      env: cleanEnv(),
      maxBuffer: 16 * MiB,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm install failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
  console.info(`install test: packed and installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const EVERY_ADAPTER = [
  "exports",
  "testing+verifier",
  "core createWebhookHandler",
  "express",
  "fastify",
  "hono",
  "next (App Router)",
];

describe("installed from the packed tarballs", () => {
  it("packs every package, with workspace: ranges rewritten to the packed versions", async () => {
    expect(Object.keys(tarballs).sort()).toEqual(
      (await Promise.all((await packageDirs()).map(async (dir) => (await manifest(`packages/${dir}`)).name))).sort(),
    );
    const core = await manifest("packages/core");
    for (const name of Object.keys(tarballs)) {
      const installed = JSON.parse(
        await readFile(join(app, "node_modules", name, "package.json"), "utf8"),
      ) as Manifest & { files?: string[] };
      for (const range of Object.values(installed.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/);
      if (name !== core.name && name !== "@colivara/webhooks-cli") {
        expect(installed.dependencies?.[core.name], name).toBe(`^${core.version}`);
      }
    }
  });

  it("an ESM project imports every entry point and runs a signed delivery through each adapter", async () => {
    const summary = JSON.parse(await node(["esm/check.js"])) as { format: string; ran: string[] };
    expect(summary).toMatchObject({ format: "esm", ran: EVERY_ADAPTER });
  });

  it("a CommonJS project requires every entry point and runs a signed delivery through each adapter", async () => {
    const summary = JSON.parse(await node(["cjs/check.js"])) as { format: string; ran: string[] };
    expect(summary).toMatchObject({ format: "cjs", ran: EVERY_ADAPTER });
  });

  it("Next.js's Edge bundler condition (edge-light) gets the Edge entry, which verifies with the same API", async () => {
    const result = JSON.parse(await node(["--conditions=edge-light", "esm/edge.js"]));
    expect(result).toEqual({
      pagesError: "invalid_config",
      status: 200,
      body: { type: "unknown", original: "document.deleted" },
    });
  });

  it("the CLI's bin runs from the installed package", async () => {
    const output = await node([join(app, "node_modules/.bin/colivara-webhooks"), "secret", "--json"]);
    expect((JSON.parse(output) as { secret: string }).secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  });

  it("TypeScript, module nodenext: the typed program checks as ESM and CommonJS, and what tsc emits runs", async () => {
    await tsc("ts-nodenext");
    for (const emitted of ["ts-nodenext/out/program.js", "ts-nodenext/out/program.cjs"]) {
      const result = JSON.parse(await node([emitted])) as { statuses: number[]; seen: string[] };
      // Express, Fastify, Hono, Next, core: each verified the delivery and ran the handler.
      expect(result.statuses, emitted).toEqual([204, 200, 204, 204, 204]);
      expect(result.seen, emitted).toHaveLength(5);
    }
  });

  it("TypeScript, moduleResolution bundler: the typed program checks", async () => {
    await tsc("ts-bundler");
  });
});
