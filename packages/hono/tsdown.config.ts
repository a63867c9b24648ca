import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

// Neutral: Hono apps run on Node, Bun, Deno and Workers.
export default defineConfig(packageBuild({ platform: "neutral" }));
