import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

// Neutral: the core runs on Node and on Web-standard runtimes alike.
export default defineConfig(
  packageBuild({
    entry: ["src/index.ts", "src/testing.ts", "src/adapter.ts", "src/otel.ts", "src/worker.ts"],
    platform: "neutral",
  }),
);
