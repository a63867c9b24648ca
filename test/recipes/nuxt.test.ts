// The Nuxt recipe (docs/guide/nuxt.md): test/recipes/nuxt built by `nuxt build` (Nitro's
// node-server preset) and served by `node .output/server/index.mjs`, as deployed. The app also
// has a server middleware that parses every POST body first (server/middleware/read-body.ts).
import { describe, expect, it } from "vitest";
import { successPayload } from "../conformance/deliveries.js";
import { describeRecipe, signed } from "./recipe-suite.js";

const recipe = describeRecipe(
  {
    name: "nuxt",
    route: "server/routes/webhooks/colivara.ts",
    build: ["nuxt", "build"],
    missingSecret: "request",
    typecheck: { project: ".nuxt/tsconfig.server.json" },
    start: () => ({ command: process.execPath, args: [".output/server/index.mjs"] }),
  },
  "Nuxt 4 (Nitro, node-server)",
);

describe("a body that an h3 reader parsed before the route", () => {
  it("is verified over its exact bytes: a pretty-printed delivery (which JSON.stringify would not rebuild) answers 204", async () => {
    const body = JSON.stringify(successPayload({ name: "pretty.pdf" }), null, 2);
    const delivery = signed(recipe.secret, body);
    expect((await recipe.post(delivery)).status).toBe(204);
  });
});
