// The React Router 7 recipe (framework mode, docs/guide/react-router.md): test/recipes/react-router
// built by `react-router build` and served by `react-router-serve build/server/index.js`, as deployed.
import { describeRecipe } from "./recipe-suite.js";

describeRecipe(
  {
    name: "react-router",
    route: "app/routes/webhooks.colivara.ts",
    build: ["react-router", "build"],
    missingSecret: "start",
    typecheck: { project: "tsconfig.json", generate: ["react-router", "typegen"] },
    start: () => ({
      command: process.execPath,
      args: ["node_modules/@react-router/serve/bin.js", "build/server/index.js"],
    }),
  },
  "React Router 7 (framework mode, react-router-serve)",
);
