import { defineConfig } from "tsdown";

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    platform: "node",
    target: "es2022",
    clean: true,
    fixedExtension: true,
  },
  {
    // The bin: ESM only (top-level await), no declarations.
    entry: ["src/cli.ts"],
    format: ["esm"],
    dts: false,
    platform: "node",
    target: "es2022",
    clean: false,
    fixedExtension: true,
  },
]);
