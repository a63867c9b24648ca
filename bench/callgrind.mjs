// One node process under valgrind's callgrind, counting only the instructions between its
// two process.cpuUsage() calls, on its main thread: what bench/instructions.mjs and
// bench/verify-instructions.mjs measure.
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Why instructions cannot be counted here (valgrind missing), or undefined when they can. */
export function cannotCount() {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "valgrind is not installed (Debian/Ubuntu: apt-get install -y valgrind)";
  }
}

/**
 * Runs `node <args>` under callgrind and returns the main thread's instructions between the
 * process's two process.cpuUsage() calls, divided by `measured`. `out` is the dump file prefix.
 */
export async function measuredInstructions(out, args, measured) {
  await run(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      // A dump (and a reset of the counters) each time the driver calls process.cpuUsage().
      "--dump-before=node::CPUUsage*",
      // The main thread on its own: V8's optimising compiler runs on helper threads, and
      // under valgrind it is still compiling during the measured series (that was 40% of
      // the instructions), which is warm-up, not what a request costs once warm.
      "--separate-threads=yes",
      "--dump-instr=no",
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...args,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  // Dump 1 is start-up and warm-up; dump 2 is the measured series; -01 the main thread.
  const match = /^totals: (\d+)/m.exec(readFileSync(`${out}.2-01`, "utf8"));
  if (!match) throw new Error(`no instruction count in ${out}.2-01`);
  return Number(match[1]) / measured;
}
