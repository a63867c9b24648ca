import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig(
  packageBuild({
    // index: App Router + Pages Router (Node). edge: the same App Router wrapper without
    // the Node-only Pages Router code, picked by Next's Edge bundler (the "edge-light" condition).
    entry: ["src/index.ts", "src/edge.ts"],
    platform: "neutral",
  }),
);
