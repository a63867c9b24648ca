import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig([
  packageBuild(),
  // The bin: ESM only (top-level await), no declarations.
  packageBuild({ entry: ["src/pg-boss-jobs-cli.ts"], format: ["esm"], dts: false, clean: false }),
]);
