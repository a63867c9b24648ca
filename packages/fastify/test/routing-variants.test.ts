// Fastify routes opted-in requests itself: a forged delivery sent with any spelling of the
// webhook path (case, trailing and repeated slashes, percent-escapes, dot segments, `;`,
// absolute-form targets, …) is refused by the verifier or never reaches an opted-in handler,
// under register prefixes, nested scopes and the router options that widen matching
// (ignoreTrailingSlash, caseSensitive: false, ignoreDuplicateSlashes); a route in another
// scope is not taken over. Fastify 4 and 5, over a real server and a raw socket.
import type { AddressInfo } from "node:net";
import fastify5, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import fastify4 from "fastify4";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import {
  forgedVariantsThatGetThrough,
  ordinaryAnswers,
  sendGenuine,
  sendRaw,
  UNTOUCHED,
} from "../../../test/support/path-variants.js";
import colivaraWebhooks from "../src/index.js";

const secret = newSecret();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

type Fastify = typeof fastify5;
const optedIn = { config: { colivara: true } } as const;
const plugin = { secret, log: false } as const;

/** `GET <prefix>/health` and `POST <prefix>/items` (JSON). */
function ordinaryRoutes(scope: FastifyInstance, prefix = ""): void {
  scope.get(`${prefix}/health`, async () => ({ ok: true }));
  scope.post(`${prefix}/items`, async (request) => ({ received: request.body }));
}

interface Mounted {
  webhookPath: string;
  apiBase?: string;
}

type Form = [
  name: string,
  options: FastifyServerOptions,
  build: (app: FastifyInstance, handler: () => unknown) => Promise<Mounted>,
];

const widened = { ignoreTrailingSlash: true, caseSensitive: false, ignoreDuplicateSlashes: true };

/** The documented setup: the plugin, the opted-in route, the ordinary routes under /api. */
async function documented(app: FastifyInstance, handler: () => unknown): Promise<Mounted> {
  await app.register(colivaraWebhooks, plugin);
  app.post("/webhooks/colivara", optedIn, handler);
  ordinaryRoutes(app, "/api");
  return { webhookPath: "/webhooks/colivara" };
}

/** The plugin and every route in a scope registered with `prefix`. */
async function inPrefixedScope(app: FastifyInstance, handler: () => unknown): Promise<Mounted> {
  await app.register(
    async (scope) => {
      await scope.register(colivaraWebhooks, plugin);
      scope.post("/webhooks/colivara", optedIn, handler);
      ordinaryRoutes(scope);
    },
    { prefix: "/api" },
  );
  return { webhookPath: "/api/webhooks/colivara", apiBase: "/api" };
}

const forms: Form[] = [
  ["the documented setup", {}, documented],
  ["ignoreTrailingSlash, caseSensitive: false, ignoreDuplicateSlashes", widened, documented],
  ['the plugin and the route in a scope with prefix "/api"', {}, inPrefixedScope],
  ["the same with the widening router options", widened, inPrefixedScope],
  [
    "the plugin at the root, the route two prefixed scopes down",
    widened,
    async (app, handler) => {
      await app.register(colivaraWebhooks, plugin);
      await app.register(
        async (v1) => {
          await v1.register(
            async (api) => {
              api.post("/webhooks/colivara", optedIn, handler);
              ordinaryRoutes(api);
            },
            { prefix: "/api" },
          );
        },
        { prefix: "/v1" },
      );
      return { webhookPath: "/v1/api/webhooks/colivara", apiBase: "/v1/api" };
    },
  ],
  [
    'the route at "/" under prefix "/webhooks/colivara" (Fastify declares it with and without the slash)',
    {},
    async (app, handler) => {
      await app.register(colivaraWebhooks, plugin);
      await app.register(async (scope) => void scope.post("/", optedIn, handler), { prefix: "/webhooks/colivara" });
      ordinaryRoutes(app, "/api");
      return { webhookPath: "/webhooks/colivara" };
    },
  ],
  [
    "the plugin's own route (path and on), under a prefix",
    widened,
    async (app, handler) => {
      const on = { "upsert.success": handler, "upsert.fail": handler };
      await app.register(
        async (scope) => {
          await scope.register(colivaraWebhooks, { ...plugin, path: "/webhooks/colivara", on });
          ordinaryRoutes(scope);
        },
        { prefix: "/api" },
      );
      return { webhookPath: "/api/webhooks/colivara", apiBase: "/api" };
    },
  ],
];

describe.each([
  ["fastify 5", fastify5],
  ["fastify 4", fastify4 as unknown as Fastify],
])("%s", (_name, fastify) => {
  async function listen(app: FastifyInstance): Promise<number> {
    await app.listen({ port: 0, host: "127.0.0.1" });
    return (app.server.address() as AddressInfo).port;
  }

  describe.each(forms)("%s", (_form, options, build) => {
    async function serve() {
      let count = 0;
      const app = fastify(options);
      apps.push(app);
      const mounted = await build(app, async () => {
        count += 1;
        return { handled: true };
      });
      return { ...mounted, calls: () => count, port: await listen(app) };
    }

    it("refuses a forged delivery sent with every spelling of the webhook path", async () => {
      const { port, webhookPath, calls } = await serve();
      expect(await forgedVariantsThatGetThrough(port, webhookPath, calls)).toEqual([]);
    });

    it("hands a genuine delivery to the handler", async () => {
      const { port, webhookPath, calls } = await serve();
      expect((await sendGenuine(port, secret, webhookPath)).status).toBeLessThan(300);
      expect(calls()).toBe(1);
    });

    it("leaves the ordinary routes alone", async () => {
      const { port, apiBase = "/api" } = await serve();
      expect(await ordinaryAnswers(port, apiBase)).toMatchObject(UNTOUCHED);
    });
  });

  it("does not take over a route in another scope, even at the same relative path", async () => {
    const app = fastify(widened);
    apps.push(app);
    await app.register(
      async (scope) => {
        await scope.register(colivaraWebhooks, plugin);
        scope.post("/webhooks/colivara", optedIn, async () => ({ verified: true }));
      },
      { prefix: "/a" },
    );
    await app.register(
      async (scope) => void scope.post("/webhooks/colivara", async (request) => ({ received: request.body })),
      {
        prefix: "/b",
      },
    );
    const port = await listen(app);
    const json = { body: '{"a":1}', headers: { "content-type": "application/json" } };
    expect(await sendRaw(port, { target: "/b/webhooks/colivara", ...json })).toMatchObject({
      status: 200,
      body: '{"received":{"a":1}}',
    });
    expect((await sendRaw(port, { target: "/A/WEBHOOKS/COLIVARA", ...json })).status).toBe(401);
  });
});
