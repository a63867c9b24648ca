// The decision logic of scripts/system-deps.mjs (run first by `pnpm test`), with the
// machine's facts injected: nothing is installed here. Each case names what a fresh
// machine would see.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decide, findMissing, main, REQUIREMENTS } from "../../scripts/system-deps.mjs";

const POSTGRES_INITDB = "/usr/lib/postgresql/15/bin/initdb";
const everything = [
  "/usr/bin/redis-server",
  "/usr/bin/redis-cli",
  POSTGRES_INITDB,
  "/usr/bin/chromium",
  "/usr/bin/apt-get",
];

/** What a directory of the fake machine holds: the next path segment of every file under it. */
const listing = (present: Set<string>) => (dir: string) =>
  [...present]
    .filter((file) => file.startsWith(`${dir}/`))
    .map((file) => file.slice(dir.length + 1).split("/")[0] as string);
const byName = (...names: string[]) => REQUIREMENTS.filter((requirement) => names.includes(requirement.name));

/** A machine holding `files`; apt-get install adds what each package provides. */
function machine(files: string[], options: { uid?: number; platform?: string; aptFails?: "update" | "install" } = {}) {
  const present = new Set(files);
  const commands: string[] = [];
  const envs: Array<Record<string, string | undefined>> = [];
  const out: string[] = [];
  const provides: Record<string, string[]> = {
    "redis-server": ["/usr/bin/redis-server", "/usr/bin/redis-cli"],
    "redis-tools": ["/usr/bin/redis-cli"],
    chromium: ["/usr/bin/chromium"],
    postgresql: [POSTGRES_INITDB],
  };
  const code = main({
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    uid: options.uid ?? 0,
    platform: options.platform ?? "linux",
    executable: (file) => present.has(file),
    list: listing(present),
    run: (command, args, env) => {
      commands.push(`${command} ${args.join(" ")}`);
      envs.push(env);
      if (args[0] === options.aptFails) return 100;
      const installed = args[0] === "install" ? args.slice(3).flatMap((name) => provides[name] ?? []) : [];
      for (const file of installed) present.add(file);
      return 0;
    },
    log: (line) => out.push(line),
    error: (line) => out.push(line),
  });
  return { code, commands, envs, output: out.join("\n") };
}

describe("system-deps: what it decides", () => {
  it("does nothing when everything is installed", () => {
    const result = machine(everything);
    expect(result.code).toBe(0);
    expect(result.commands).toEqual([]);
  });

  it("as root with apt-get, installs only what is missing, without recommends", () => {
    const result = machine(["/usr/bin/apt-get"]);
    expect(result.commands).toEqual([
      "apt-get update",
      "apt-get install -y --no-install-recommends redis-server postgresql chromium",
    ]);
    expect(result.envs.every((env) => env.DEBIAN_FRONTEND === "noninteractive")).toBe(true);
    expect(result.code).toBe(0);
  });

  it("installs chromium alone when Redis is there", () => {
    const result = machine(everything.filter((file) => file !== "/usr/bin/chromium"));
    expect(result.commands.at(-1)).toBe("apt-get install -y --no-install-recommends chromium");
    expect(result.code).toBe(0);
  });

  it("installs postgresql alone when initdb is in no /usr/lib/postgresql/<major>/bin nor on PATH", () => {
    const result = machine(everything.filter((file) => file !== POSTGRES_INITDB));
    expect(result.commands.at(-1)).toBe("apt-get install -y --no-install-recommends postgresql");
    expect(result.code).toBe(0);
  });

  it("finds PostgreSQL in any major version's directory, or on PATH (Homebrew)", () => {
    const other = everything.filter((file) => file !== POSTGRES_INITDB);
    expect(machine([...other, "/usr/lib/postgresql/17/bin/initdb"]).commands).toEqual([]);
    expect(machine([...other, "/usr/local/bin/initdb"]).commands).toEqual([]);
  });

  it("installs redis-tools when only redis-cli is missing", () => {
    const result = machine(everything.filter((file) => file !== "/usr/bin/redis-cli"));
    expect(result.commands.at(-1)).toBe("apt-get install -y --no-install-recommends redis-tools");
  });

  it("fails with the exact install lines when not root, and runs nothing", () => {
    const result = machine(["/usr/bin/apt-get", "/usr/bin/chromium"], { uid: 1000 });
    expect(result.code).toBe(1);
    expect(result.commands).toEqual([]);
    expect(result.output).toContain("not root");
    expect(result.output).toContain("apt-get install -y --no-install-recommends redis-server");
    expect(result.output).toContain("brew install redis");
    expect(result.output).not.toContain("chromium");
  });

  it("fails on macOS with the Homebrew names, including the /usr/bin/chromium path", () => {
    const result = machine([], { platform: "darwin", uid: 501 });
    expect(result.code).toBe(1);
    expect(result.commands).toEqual([]);
    expect(result.output).toContain("brew install redis postgresql@17 && brew install --cask chromium");
    expect(result.output).toContain("/usr/bin/chromium");
  });

  it("fails on a Linux without apt-get, naming the Debian packages", () => {
    const result = machine(["/usr/bin/redis-server", "/usr/bin/redis-cli", POSTGRES_INITDB]);
    expect(result.code).toBe(1);
    expect(result.commands).toEqual([]);
    expect(result.output).toContain("not a machine with apt-get");
    expect(result.output).toContain("--no-install-recommends chromium");
  });

  it("stops and fails when apt-get update fails", () => {
    const result = machine(["/usr/bin/apt-get"], { aptFails: "update" });
    expect(result.code).toBe(1);
    expect(result.commands).toEqual(["apt-get update"]);
    expect(result.output).toContain("apt-get update` failed (exit 100)");
  });

  it("fails when apt-get install fails", () => {
    const result = machine(["/usr/bin/apt-get"], { aptFails: "install" });
    expect(result.code).toBe(1);
  });

  it("fails when a program is still missing after a successful apt-get", () => {
    const errors: string[] = [];
    const code = main({
      env: { PATH: "/usr/bin" },
      uid: 0,
      platform: "linux",
      executable: (file) => file === "/usr/bin/apt-get", // apt-get "succeeds" but installs nothing
      list: () => [],
      run: () => 0,
      log: () => {},
      error: (line) => errors.push(line),
    });
    expect(code).toBe(1);
    expect(errors).toEqual(["system-deps: still missing after apt-get: redis-server, redis-cli, postgresql, chromium"]);
  });

  it("decides install only for root on Linux with apt-get", () => {
    const missing = byName("redis-server");
    expect(decide({ missing, uid: 0, platform: "linux", hasAptGet: true })).toEqual({
      action: "install",
      packages: ["redis-server"],
    });
    expect(decide({ missing, uid: undefined, platform: "win32", hasAptGet: false }).action).toBe("fail");
    expect(decide({ missing: [], uid: 1000, platform: "darwin", hasAptGet: false })).toEqual({ action: "none" });
  });
});

describe("system-deps: looking programs up on a fake PATH", () => {
  const dir = mkdtempSync(join(tmpdir(), "system-deps-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds an executable on PATH and reports a non-executable file as missing", () => {
    writeFileSync(join(dir, "redis-server"), "#!/bin/sh\n");
    chmodSync(join(dir, "redis-server"), 0o755);
    writeFileSync(join(dir, "redis-cli"), "not executable");
    chmodSync(join(dir, "redis-cli"), 0o644);
    const missing = findMissing({ PATH: dir, extraDirs: [] }).map((requirement) => requirement.name);
    expect(missing).not.toContain("redis-server");
    expect(missing).toContain("redis-cli");
  });

  it("reports both Redis programs missing on an empty PATH", () => {
    const missing = findMissing({ PATH: join(dir, "nothing-here"), extraDirs: [] }).map(
      (requirement) => requirement.name,
    );
    expect(missing).toEqual(expect.arrayContaining(["redis-server", "redis-cli"]));
  });

  it("checks chromium at the path playwright-core launches", () => {
    expect(REQUIREMENTS.find((requirement) => requirement.name === "chromium")?.path).toBe("/usr/bin/chromium");
  });
});
