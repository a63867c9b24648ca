// The Astro recipe (docs/guide/astro.md): test/recipes/astro built by `astro build` with the
// Node adapter (standalone) and served by `node dist/server/entry.mjs`, as deployed.
import { describeRecipe } from "./recipe-suite.js";

describeRecipe(
  {
    name: "astro",
    route: "src/pages/webhooks/colivara.ts",
    build: ["astro", "build"],
    missingSecret: "request",
    typecheck: { project: "tsconfig.json" },
    formCheck: "security.checkOrigin",
    start: () => ({ command: process.execPath, args: ["dist/server/entry.mjs"] }),
  },
  "Astro 5 (@astrojs/node, standalone)",
);
