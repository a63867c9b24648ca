// Mutation testing of the core (pnpm mutation): how many deliberate defects the tests catch.
// Not part of pnpm test; the report lands in reports/mutation/. See CONTRIBUTING.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  // The core's verification, its delivery pipeline and dedupe, and its body readers: the
  // modules a forged, replayed, doubled or oversized delivery meets first.
  mutate: [
    ...["verifier", "headers", "timestamp", "signature", "mac", "secret", "payload", "base64"].map(
      (n) => `verify/${n}`,
    ),
    ...["pipeline", "claimed-delivery"].map((n) => `pipeline/${n}`),
    ...["dedupe-gate", "dedupe", "dedupe-key", "handled-mark"].map((n) => `dedupe/${n}`),
    ...["responses", "read-node-body", "read-fetch-body", "body-buffer", "limit", "read-timeout"].map(
      (n) => `http/${n}`,
    ),
  ].map((name) => `packages/core/src/${name}.ts`),
  coverageAnalysis: "perTest",
  ignoreStatic: true,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
