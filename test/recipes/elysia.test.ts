// The Elysia recipe (docs/guide/elysia.md): test/recipes/elysia/server.ts run by Bun (no build
// step), the Bun of the test-only runtimes (test/runtimes/workspace).
import { serverBinary } from "../runtimes/runtime-binaries.js";
import { describeRecipe } from "./recipe-suite.js";

describeRecipe(
  {
    name: "elysia",
    route: "server.ts",
    missingSecret: "start",
    typecheck: { project: "tsconfig.json" },
    start: () => ({ command: serverBinary("bun"), args: ["run", "server.ts"] }),
  },
  "Elysia 1 on Bun",
);
