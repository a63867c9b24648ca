import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  platform: "node",
  target: "es2022",
  clean: true,
  fixedExtension: true,
  // Default and named exports together on purpose: require() gets { default, colivaraWebhooks },
  // and Fastify's register() unwraps `default` itself.
  outputOptions: { exports: "named" },
});
