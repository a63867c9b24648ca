import { defineConfig } from "tsdown";

export default defineConfig({
  // index: App Router + Pages Router (Node). edge: the same App Router wrapper without
  // the Node-only Pages Router code, picked by Next's Edge bundler (the "edge-light" condition).
  entry: ["src/index.ts", "src/edge.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "neutral",
  target: "es2022",
  clean: true,
  fixedExtension: true,
});
