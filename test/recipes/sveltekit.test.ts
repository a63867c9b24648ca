// The SvelteKit recipe (docs/guide/sveltekit.md): test/recipes/sveltekit built by `vite build`
// with adapter-node and served by `node build`, as deployed.
import { describeRecipe } from "./recipe-suite.js";

describeRecipe(
  {
    name: "sveltekit",
    route: "src/routes/webhooks/colivara/+server.ts",
    build: ["vite", "build"],
    missingSecret: "request",
    typecheck: { project: "tsconfig.json" },
    formCheck: "kit.csrf.checkOrigin",
    start: () => ({ command: process.execPath, args: ["build"] }),
  },
  "SvelteKit 2 (adapter-node)",
);
