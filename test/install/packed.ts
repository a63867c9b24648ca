// Every package under packages/, packed as it would be published (`pnpm pack`: workspace:
// ranges rewritten, only the `files` that ship), and what each tarball holds.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { root } from "../docs/readme-samples.js";

export const run = promisify(execFile);
export const MiB = 1024 * 1024;

/** Every folder under packages/ with a package.json. */
export async function packageDirs(): Promise<string[]> {
  const entries = await readdir(join(root, "packages"), { withFileTypes: true });
  const dirs = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const withManifest = await Promise.all(
    dirs.map(async (dir) =>
      (await readFile(join(root, "packages", dir, "package.json")).catch(() => null)) ? dir : "",
    ),
  );
  return withManifest.filter(Boolean).sort();
}

/** `pnpm pack` of every package into `destination` (the build must have run): name to tarball path. */
export async function packEveryPackage(destination: string): Promise<Record<string, string>> {
  await mkdir(destination, { recursive: true });
  const packed = await Promise.all(
    (await packageDirs()).map(async (dir) => {
      const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", destination], {
        cwd: join(root, "packages", dir),
        maxBuffer: 16 * MiB,
      });
      const { name, filename } = JSON.parse(stdout) as { name: string; filename: string };
      return [name, filename] as const;
    }),
  );
  return Object.fromEntries(packed);
}

/** Unpacks a tarball into `into` (its `package/` folder becomes `into`). */
export async function unpack(tarball: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
}

/** Every file under `dir`, relative, sorted; `node_modules` is not part of a package's files. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .filter((file) => !file.split("/").includes("node_modules"))
    .sort();
}
