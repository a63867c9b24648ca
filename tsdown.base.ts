// The one build every package shares (ESM + CJS with declarations); options in one place.
import type { UserConfig } from "tsdown";

export function packageBuild(overrides: UserConfig = {}): UserConfig {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    platform: "node",
    target: "es2022",
    clean: true,
    fixedExtension: true,
    ...overrides,
  };
}
