// What a new user types: every package README's own install line(s), run with npm in a fresh
// project outside this workspace ("type": "module", nothing else installed), our packages
// replaced by the `pnpm pack` tarballs and everything else from the npm registry. Then the
// README's quickstart starts in that project as its own node process, and gets a genuine
// delivery (2xx) and a forged one (401), signed by the independent signer. The CLI's README
// commands run with npx in their project instead, and its `listen` quickstart is started.
//
// A sample that builds on an adapter the line does not name (the Redis store and the BullMQ
// hand-off are "in any adapter") first gets that adapter's own README line; the test checks
// that none of the line's packages is there before the line runs, so only the line can
// have installed them.
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameOf, readmes, root } from "../docs/readme-samples.js";
import { startProcess } from "../e2e/cli-support.js";
import { type IndependentDelivery, newSecret, signIndependently } from "../support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";
import { filesUnder, MiB, packEveryPackage, run, unpack } from "./packed.js";
import {
  firstCommand,
  type InstallVariant,
  importsOf,
  installVariantsOf,
  packagesOf,
  quickstartOf,
} from "./readme-install.js";
import {
  cleanEnv,
  createProject,
  hasPackage,
  installedColivara,
  installLine,
  npm,
  npxCli,
  startQuickstart,
} from "./readme-project.js";

const variants: InstallVariant[] = readmes()
  .filter((readme) => readme !== "README.md")
  .flatMap(installVariantsOf);
const label = (variant: InstallVariant) =>
  `${variant.readme}${variant.name === "default" ? "" : ` (or: ${variant.name})`}`;

/** The README of each of our packages, by package name. */
const readmeOf: Record<string, string> = Object.fromEntries(
  readmes()
    .filter((readme) => readme !== "README.md")
    .map((readme) => [
      (JSON.parse(readFileSync(`${root}${readme.replace("README.md", "package.json")}`, "utf8")) as { name: string })
        .name,
      readme,
    ]),
);

let work: string;
let tarballs: Record<string, string>;
let redis: RedisServer;
let postgres: PostgresServer;

/** At most three npm installs at a time, however many projects run at once. */
let installing = 0;
const waiting: (() => void)[] = [];
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (installing < 3) installing++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // a finished install hands its slot over
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else installing--;
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "colivara-readme-lines-"));
  tarballs = await packEveryPackage(join(work, "packs"));
  await Promise.all(Object.entries(tarballs).map(([name, file]) => unpack(file, join(work, "unpacked", name))));
  redis = await startRedisServer();
  postgres = await startPostgresServer();
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  await postgres?.remove();
  if (work) await rm(work, { recursive: true, force: true });
});

const delivery = (secret: string, tag: string): IndependentDelivery =>
  signIndependently(
    secret,
    JSON.stringify({
      type: "upsert.success",
      message: "Document upserted successfully",
      id: 4242,
      name: `report-${tag}.pdf`,
      metadata: {},
      url: "https://example.com/report.pdf",
      num_pages: 3,
      collection_name: "default_collection",
    }),
  );

async function post(url: string, sent: IndependentDelivery): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: "POST", body: String(sent.body), headers: sent.headers });
  return { status: response.status, body: await response.text() };
}

/** Every @colivara package in the project is byte for byte the one in our tarball. */
async function expectOurTarballs(dir: string, named: string[]): Promise<void> {
  const installed = await installedColivara(dir);
  expect(installed.map((entry) => entry.name)).toEqual(expect.arrayContaining(named));
  for (const { path, name, resolved } of installed) {
    expect(resolved, `${path} resolved`).toMatch(/^file:.*\.tgz$/);
    const packed = join(work, "unpacked", name);
    const files = await filesUnder(packed);
    expect(await filesUnder(join(dir, path)), path).toEqual(files);
    for (const file of files) {
      const same = (await readFile(join(dir, path, file))).equals(await readFile(join(packed, file)));
      expect(same, `${path}/${file} is not the packed file`).toBe(true);
    }
  }
}

/**
 * Creates the project, runs the adapter lines it builds on, then the README's own lines;
 * checks that npm resolved every peer and that our packages came from the tarballs.
 */
async function install(variant: InstallVariant, baseline: string[][]): Promise<string> {
  const dir = join(work, `${variant.readme.split("/")[1]}-${variant.name}`);
  const own = variant.lines.flatMap(packagesOf);
  await createProject(dir, tarballs, [...baseline, ...variant.lines].flatMap(packagesOf));
  const warnings: string[] = [];
  for (const line of baseline) warnings.push(await limited(() => installLine(dir, line, tarballs)));
  for (const name of own) expect(hasPackage(dir, name), `${name} was there before the README's line`).toBe(false);
  for (const line of variant.lines) warnings.push(await limited(() => installLine(dir, line, tarballs)));
  // A peer range the line does not satisfy is only a warning at install time.
  expect(warnings.join("\n")).not.toMatch(/ERESOLVE|Could not resolve dependency|invalid:/);
  await npm(dir, ["ls", "--all"]);
  await expectOurTarballs(
    dir,
    own.filter((name) => name.startsWith("@colivara/")),
  );
  return dir;
}

describe("every package README's install line, in a fresh project", () => {
  it("reads each README's install lines and picks its quickstart", () => {
    const plan = Object.fromEntries(
      variants.map((variant) => [
        label(variant),
        variant.commands.length > 0 ? variant.lines.map((line) => line.join(" ")) : nameOf(quickstartOf(variant)),
      ]),
    );
    // The samples the projects start (page#N is that page's Nth TypeScript sample).
    expect(plan).toEqual({
      "packages/bullmq/README.md": expect.stringMatching(/^docs\/production\/hand-off\.md#\d+ /),
      "packages/cli/README.md": ["npm install --save-dev @colivara/webhooks-cli"],
      "packages/core/README.md": expect.stringMatching(/^packages\/core\/README\.md#1 /),
      "packages/express/README.md": expect.stringMatching(/^packages\/express\/README\.md#1 /),
      "packages/fastify/README.md": expect.stringMatching(/^packages\/fastify\/README\.md#1 /),
      "packages/hono/README.md": expect.stringMatching(/^packages\/hono\/README\.md#1 /),
      "packages/nestjs/README.md": expect.stringMatching(/^packages\/nestjs\/README\.md#1 /),
      "packages/nestjs/README.md (or: @nestjs/platform-fastify@11)": expect.stringMatching(
        /^packages\/nestjs\/README\.md#2 /,
      ),
      "packages/next/README.md": expect.stringMatching(/^packages\/next\/README\.md#1 /),
      "packages/postgres/README.md": expect.stringMatching(/^packages\/postgres\/README\.md#1 /),
      "packages/postgres/README.md (or: postgres)": expect.stringMatching(/^packages\/postgres\/README\.md#2 /),
      "packages/redis/README.md": expect.stringMatching(/^packages\/redis\/README\.md#1 /),
      "packages/redis/README.md (or: redis)": expect.stringMatching(/^packages\/redis\/README\.md#2 /),
    });
    const find = (readme: string) => variants.find((variant) => variant.readme === readme) as InstallVariant;
    expect(find("packages/hono/README.md").lines).toHaveLength(2);
    // The BullMQ README links to the root README's "Heavy work" section: its hand-off sample.
    expect(quickstartOf(find("packages/bullmq/README.md")).code).toContain("bullmqHandOff(queue)");
  });

  const servers = variants.filter((variant) => variant.commands.length === 0);
  it.concurrent.each(servers.map((variant) => [label(variant), variant] as const))(
    "%s: the line installs, and its quickstart answers a genuine delivery 2xx and a forged one 401",
    async (_label, variant) => {
      const sample = quickstartOf(variant);
      const own = variant.lines.flatMap(packagesOf);
      const adapters = importsOf(sample).filter((name) => name.startsWith("@colivara/") && !own.includes(name));
      const baseline = adapters.flatMap((name) => {
        const readme = readmeOf[name];
        if (readme === undefined)
          throw new Error(`${nameOf(sample)} imports ${name}, which is not one of our packages`);
        return (installVariantsOf(readme)[0] as InstallVariant).lines;
      });
      const dir = await install(variant, baseline);

      const secret = newSecret();
      const { url, started } = await startQuickstart(dir, sample, {
        COLIVARA_WEBHOOK_SECRET: secret,
        REDIS_URL: redis.url,
        DATABASE_URL: postgres.url,
      });
      try {
        const answer = await post(url, delivery(secret, "genuine"));
        expect(answer.status, `${answer.body}\n${started.stderr()}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${answer.body}\n${started.stderr()}`).toBeLessThan(300);
        const refused = await post(url, delivery(newSecret(), "forged"));
        expect(refused.status, `${refused.body}\n${started.stderr()}`).toBe(401);
      } finally {
        await started.stop();
      }
    },
    300_000,
  );

  const clis = variants.filter((variant) => variant.commands.length > 0);
  it.concurrent.each(clis.map((variant) => [label(variant), variant] as const))(
    "%s: the line installs, the README's commands run, and `listen` verifies deliveries",
    async (_label, variant) => {
      const dir = await install(variant, []);
      // npm_config_yes=false: npx runs what the line installed, never a download.
      const env = cleanEnv({ npm_config_yes: "false" });
      const npx = (words: string[]) =>
        run(process.execPath, [npxCli, ...words.slice(1)], { cwd: dir, env, maxBuffer: 16 * MiB });
      for (const command of variant.commands) {
        const { stdout } = await npx(command);
        expect(stdout, command.join(" ")).toContain("Usage: colivara-webhooks");
      }
      const { stdout: secret } = await npx(firstCommand(variant.readme, /^npx \S+ secret$/));
      expect(secret.trim()).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

      // The README's `listen` on its own (it answers itself), on a free port. Started through
      // the bin npx runs, not npx: a stopped npx leaves its child running.
      const [, , subcommand, ...listen] = firstCommand(variant.readme, /^npx \S+ listen --port \d+$/);
      expect(subcommand).toBe("listen");
      const listening = startProcess(
        [
          join(dir, "node_modules/.bin/colivara-webhooks"),
          "listen",
          ...listen.map((word) => (word === "3000" ? "0" : word)),
        ],
        { cwd: dir, env: { ...env, COLIVARA_WEBHOOK_SECRET: secret.trim() } },
      );
      try {
        const [, url] = await listening.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/);
        const answer = await post(url as string, delivery(secret.trim(), "genuine"));
        expect(answer.status, listening.stderr()).toBe(200);
        const refused = await post(url as string, delivery(newSecret(), "forged"));
        expect(refused.status, listening.stderr()).toBe(401);
        expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "invalid_signature" } });
      } finally {
        await listening.stop();
      }
    },
    300_000,
  );
});
