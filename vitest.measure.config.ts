// Measurements that need the test suite's servers (a real Redis Cluster) but assert nothing:
// `*.measure.ts` files, run by a `pnpm bench` section, never by `pnpm test`. Sources resolve
// as in vitest.config.ts.
import { defineConfig } from "vitest/config";
import { workspaceSources } from "./vitest.config.js";

export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    include: ["packages/*/test/**/*.measure.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
