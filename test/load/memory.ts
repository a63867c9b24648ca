// Server memory, read from outside the server: VmRSS from /proc/<pid>/status (Linux).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const MiB = 1024 * 1024;

/**
 * NODE_OPTIONS for a server the suite measures: SIGUSR2 then runs a full GC and writes
 * process.memoryUsage() to COLIVARA_LOAD_MEMORY_FILE (gc-on-signal.cjs).
 */
export const GC_PRELOAD = `--require ${fileURLToPath(new URL("./gc-on-signal.cjs", import.meta.url))}`;

/** Resident set size of a live process, in bytes. */
export function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** What a server holds after a full GC: its RSS, and the memory its JavaScript still references. */
export interface Held {
  rss: number;
  /** V8 heap in use plus memory held outside it for JS objects (Buffers): process.memoryUsage(). */
  retained: number;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/**
 * Asks the server for a full GC (see gc-on-signal.cjs) and returns what it still holds,
 * once it has written its memoryUsage() line to `file`.
 */
export async function collectGarbage(pid: number, file: string): Promise<Held> {
  const before = lines(file).length;
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; lines(file).length === before; waited += 20) {
    if (waited > 30_000) throw new Error(`process ${pid} did not answer SIGUSR2 with a memory line in ${file}`);
    await sleep(20);
  }
  const usage = JSON.parse(lines(file).at(-1) as string) as { heapUsed: number; external: number };
  return { rss: rss(pid), retained: usage.heapUsed + usage.external };
}

/** The least of a few readings, each after its own full GC. */
export async function held(pid: number, file: string, readings = 3): Promise<Held> {
  let least = { rss: Number.POSITIVE_INFINITY, retained: Number.POSITIVE_INFINITY };
  for (let i = 0; i < readings; i++) {
    const reading = await collectGarbage(pid, file);
    least = { rss: Math.min(least.rss, reading.rss), retained: Math.min(least.retained, reading.retained) };
  }
  return least;
}

/** Samples RSS every `intervalMs` until stopped; `peak` is the largest reading. */
export function sampleRss(pid: number, intervalMs = 50): { readonly peak: number; stop(): number } {
  let peak = rss(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rss(pid));
    } catch {
      // The process is gone; the suite reports that separately.
    }
  }, intervalMs);
  return {
    get peak() {
      return peak;
    },
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(0);
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** How many file descriptors (sockets, files, pipes) a process holds open. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
