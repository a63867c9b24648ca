import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig([
  packageBuild({ shims: true }),
  // The bin: ESM only (top-level await), no declarations.
  packageBuild({ entry: ["src/cli.ts"], format: ["esm"], dts: false, clean: false, shims: true }),
  // The inspector page: typed modules from client/ bundled for the browser into one script,
  // next to the page and its style sheet, in dist/inspector/ (served by `listen`).
  {
    entry: { app: "client/main.ts" },
    outDir: "dist/inspector",
    format: ["iife"],
    platform: "browser",
    target: "es2022",
    dts: false,
    clean: false,
    outputOptions: { entryFileNames: "[name].js" },
    copy: [
      { from: "client/inspector.html", to: "dist/inspector" },
      { from: "client/inspector.css", to: "dist/inspector" },
    ],
  },
]);
