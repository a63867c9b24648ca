// The version matrix's second Next.js major: examples/next, unchanged, built with Next.js 15
// (test/matrix/next15 installs it beside the example's Next.js 16) and driven over HTTP by
// the shared conformance suite on the App Router (Node and Edge) and the Pages Router.
// test/e2e/next-example.test.ts covers Next.js 16 and the example's own promises.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { type AdapterFactory, runConformanceSuite } from "../conformance/suite.js";
import { handledBy, type ExampleIntegration as Integration } from "../e2e/next-server.js";
import { type MatrixNextApp, prepareNextApp } from "./next-app.js";

const PATHS: Record<
  Integration,
  { verify: string; handlers: string; parsedFirst: string; json: string; metadata: string }
> = {
  "app-node": {
    verify: "/api/webhooks/colivara",
    handlers: "/api/webhooks/colivara/handlers",
    parsedFirst: "/api/webhooks/colivara/parsed-first",
    json: "/api/echo",
    metadata: "/api/webhooks/colivara/metadata",
  },
  "app-edge": {
    verify: "/api/edge/webhooks/colivara",
    handlers: "/api/edge/webhooks/colivara/handlers",
    parsedFirst: "/api/edge/webhooks/colivara/parsed-first",
    json: "/api/edge/echo",
    metadata: "/api/edge/webhooks/colivara/metadata",
  },
  pages: {
    verify: "/api/pages-router/webhooks/colivara",
    handlers: "/api/pages-router/webhooks/colivara/handlers",
    parsedFirst: "/api/pages-router/webhooks/colivara/parsed-first",
    json: "/api/pages-router/echo",
    metadata: "/api/pages-router/webhooks/colivara/metadata",
  },
};

let app: MatrixNextApp;

beforeAll(async () => {
  app = await prepareNextApp("next15");
  const { seconds } = await app.build();
  console.info(`examples/next with next ${app.version}: next build took ${seconds.toFixed(1)} s`);
}, 600_000);

afterAll(async () => {
  await app?.remove();
});

it("is built with Next.js 15", () => {
  expect(app.version).toMatch(/^15\./);
});

function factory(integration: Integration): AdapterFactory {
  return {
    name: `next 15 ${integration === "pages" ? "Pages Router" : `App Router (${integration === "app-edge" ? "Edge" : "Node.js"} runtime)`}`,
    // As on Next.js 16: the Edge sandbox of `next start` answers only once the upload ended.
    ...(integration === "app-edge"
      ? { answersAfterUploadReason: "next start sends no Edge function response before the request body has arrived" }
      : {}),
    start: async ({ secret }) => {
      const server = await app.start(secret);
      return {
        url: server.url,
        paths: { ...PATHS[integration], health: "/api/health" },
        handled: () => handledBy(server, integration),
        close: () => server.stop(),
      };
    },
  };
}

for (const integration of Object.keys(PATHS) as Integration[]) runConformanceSuite(factory(integration));

describe("next 15 without COLIVARA_WEBHOOK_SECRET", () => {
  it("builds without the secret and answers 500 invalid_config on every integration", async () => {
    const server = await app.start(undefined);
    try {
      for (const integration of Object.keys(PATHS) as Integration[]) {
        const delivery = sign(newSecret(), successPayload());
        const response = await fetch(`${server.url}${PATHS[integration].verify}`, {
          method: "POST",
          body: delivery.body,
          headers: delivery.headers,
        });
        expect(response.status, integration).toBe(500);
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        expect(error).toMatchObject({ code: "invalid_config" });
        // What to set is in the server's log, not in the answer to an anonymous caller.
        expect(error.message).not.toContain("COLIVARA_WEBHOOK_SECRET");
      }
      expect(await server.verified()).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
