import { defineConfig } from "vitest/config";

// The load suite (pnpm test:load, through test/load/run.mjs): one file at a time, one
// worker, so each server under load has the machine to itself and the generator.
export default defineConfig({
  test: {
    include: ["test/load/**/*.load.ts"],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 15 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
