// Starts a throwaway PostgreSQL cluster on a free 127.0.0.1 port for one test file: initdb
// into a temp dir, then the postgres server in the foreground, trust auth on 127.0.0.1, its
// Unix socket in the temp dir. Postgres refuses to run as root, so when the tests run as root
// (CI does) both run as the `postgres` OS user (which Debian's package creates) and the temp
// dir is handed to it. They are spawned with that user's uid and gid rather than through
// `runuser -u postgres --`: the child is then postgres itself, so the signals that stop it
// (fast shutdown, or an immediate one if the tests die) reach it, not a wrapper. A missing
// binary fails loudly with the install hint, never a skip: `pnpm test` installs it first
// (scripts/system-deps.mjs).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./free-port.js";

export interface PostgresServer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server (fast shutdown: open connections are cut) and waits for it to exit; the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, after `stop()`. */
  restart(): Promise<void>;
  /** Stops the server and removes its data. */
  remove(): Promise<void>;
}

export const POSTGRES_MISSING =
  "PostgreSQL (initdb, postgres) not found: run `node scripts/system-deps.mjs` (pnpm test does), or apt-get install -y postgresql";

/** Debian keeps each major version's programs in /usr/lib/postgresql/<major>/bin, off PATH: newest first. */
function debianBinDirs(): string[] {
  try {
    return readdirSync("/usr/lib/postgresql")
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => `/usr/lib/postgresql/${major}/bin`);
  } catch {
    return [];
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directory holding initdb and postgres; throws the install hint if none does. */
export function findPostgresBinDir(): string {
  const dirs = [...debianBinDirs(), ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  const found = dirs.find((dir) => executable(join(dir, "initdb")) && executable(join(dir, "postgres")));
  if (!found) throw new Error(POSTGRES_MISSING);
  return found;
}

/** Who runs the server: this process, or (as root) the `postgres` user. */
interface RunAs {
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no \`postgres\` user to run it as. ${POSTGRES_MISSING} (Debian's package creates the user).`,
    );
  }
}

/** Resolves once the server logs that it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`postgres did not start within 30 s:\n${output()}`)), 30_000);
    const onExit = (code: number | null) =>
      finish(new Error(`postgres exited (code ${code}) before it was ready:\n${output()}`));
    const onData = () => {
      if (output().includes("ready to accept connections")) finish();
    };
    function finish(error?: Error) {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stderr?.off("data", onData);
      if (error) reject(error);
      else resolve();
    }
    child.once("exit", onExit);
    child.stderr?.on("data", onData);
    onData();
  });
}

/** The postmaster's pid, from the data directory (first line of postmaster.pid). */
function postmasterPid(data: string): number | undefined {
  try {
    return Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

async function launch(bin: string, dir: string, port: number, user: RunAs, fsync: boolean): Promise<ChildProcess> {
  const data = join(dir, "data");
  const child = spawn(
    join(bin, "postgres"),
    // fsync off for tests: a test cluster need not survive a power cut, and a killed server
    // still loses no commit. Measurements turn it on, to pay what production pays.
    [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `fsync=${fsync ? "on" : "off"}`,
    ],
    { ...user, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } },
  );
  // If the test process dies without remove(), the server must not outlive it: an immediate shutdown.
  const killOnExit = () => {
    const pid = postmasterPid(data);
    if (pid) {
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let output = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    output = (output + chunk).slice(-8000);
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => reject(new Error(`${POSTGRES_MISSING} (${error.message})`)));
  });
  await ready(child, () => output).catch((error: unknown) => {
    child.kill("SIGKILL"); // a server that never became ready must not linger
    throw error;
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGINT"); // fast shutdown: cut the connections, write a checkpoint, exit
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * initdb into a fresh temp dir and start postgres on a free port (`fsync` off unless asked
 * for: tests need no durability against power cuts, measurements do). The port is found by
 * binding port 0 and releasing it, so another process may take it in between: that start
 * fails and is retried on another.
 */
export async function startPostgresServer(options: { fsync?: boolean } = {}): Promise<PostgresServer> {
  const fsync = options.fsync ?? false;
  const bin = findPostgresBinDir();
  const user = runAs();
  // As root, under /tmp: the postgres user must be able to reach it, which a TMPDIR under
  // /root would not let it.
  const dir = mkdtempSync(join(user.uid === undefined ? tmpdir() : "/tmp", "colivara-pg-"));
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
  try {
    execFileSync(
      join(bin, "initdb"),
      ["-D", join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
      { ...user, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`initdb failed: ${(error as Error).message}\n${stderr}`);
  }
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    child = await launch(bin, dir, port, user, fsync).catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }
  let running: ChildProcess = child;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => stopChild(running),
    async restart() {
      running = await launch(bin, dir, port, user, fsync);
    },
    async remove() {
      await stopChild(running);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
