import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig(
  packageBuild({
    // Default and named exports together on purpose: require() gets { default, colivaraWebhooks },
    // and Fastify's register() unwraps `default` itself.
    outputOptions: { exports: "named" },
  }),
);
