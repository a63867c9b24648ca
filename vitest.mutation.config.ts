// The tests the mutation run (pnpm mutation) measures the core against: the core's own
// in-process suites, with workspace packages resolved to their sources as in vitest.config.ts.
import { defineConfig } from "vitest/config";
import { workspaceSources } from "./vitest.config.js";

export default defineConfig({
  resolve: { alias: workspaceSources },
  test: {
    include: ["packages/core/test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
