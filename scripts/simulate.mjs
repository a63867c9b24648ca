#!/usr/bin/env node
// pnpm simulate: the full-size runs of what the suite runs small. A simulated day of
// ColiVara traffic on a Redis Cluster (packages/bullmq/test/day-simulation.test.ts), then
// the Redis Cluster failover measurements (packages/redis/test/failover.test.ts), one file
// at a time so each has the machine. Prints their figures; exits non-zero on a violation.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const files = ["packages/bullmq/test/day-simulation.test.ts", "packages/redis/test/failover.test.ts"];
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const result = spawnSync(
  process.execPath,
  [vitest, "run", "--no-file-parallelism", "--silent=false", "--testTimeout=3600000", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, SIMULATION: "full" } },
);
process.exitCode = result.status ?? 1;
