// "Is this the webhook route" is Hono's question: a forged delivery sent with any spelling of
// the webhook path (case, trailing slash under strict: false, percent-escapes Hono decodes,
// dot segments, absolute-form targets, …) is refused by the verifier or never reaches the
// handler, app-wide, under app.basePath() and app.route(); the rest of the app is untouched.
// Over @hono/node-server and a raw socket.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Handler, Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import {
  forgedVariantsThatGetThrough,
  ordinaryAnswers,
  sendGenuine,
  UNTOUCHED,
} from "../../../test/support/path-variants.js";
import { type ColivaraEnv, colivaraWebhook } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

type App = Hono<ColivaraEnv>;

async function listen(app: App): Promise<number> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  closers.push(() => {
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

const verifier = () => colivaraWebhook({ secret, log: false });

/** `GET /health` and `POST /items` (JSON) under `prefix`. */
function ordinaryRoutes(app: App, prefix: string): App {
  return app
    .get(`${prefix}/health`, (c) => c.json({ ok: true }))
    .post(`${prefix}/items`, async (c) => c.json({ received: await c.req.json() }));
}

interface Mounted {
  app: App;
  webhookPath: string;
  apiBase?: string;
}

type Form = [name: string, build: (handler: Handler<ColivaraEnv>) => Mounted];

const forms: Form[] = [
  [
    "app.use(colivaraWebhook())",
    (handler) => ({
      app: ordinaryRoutes(new Hono<ColivaraEnv>().use(verifier()), "/api").post("/webhooks/colivara", handler),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    "app.use(colivaraWebhook()) with strict: false",
    (handler) => ({
      app: ordinaryRoutes(new Hono<ColivaraEnv>({ strict: false }).use(verifier()), "/api").post(
        "/webhooks/colivara",
        handler,
      ),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    'app.basePath("/api").use(colivaraWebhook())',
    (handler) => {
      const api = new Hono<ColivaraEnv>().basePath("/api").use(verifier());
      ordinaryRoutes(api, "").post("/webhooks/colivara", handler);
      return { app: api, webhookPath: "/api/webhooks/colivara", apiBase: "/api" };
    },
  ],
  [
    'app.route("/api", sub), sub.use(colivaraWebhook())',
    (handler) => {
      const sub = ordinaryRoutes(new Hono<ColivaraEnv>().use(verifier()), "").post("/webhooks/colivara", handler);
      return {
        app: new Hono<ColivaraEnv>().route("/api", sub),
        webhookPath: "/api/webhooks/colivara",
        apiBase: "/api",
      };
    },
  ],
  [
    'app.route("/:tenant", sub), sub.use(colivaraWebhook()) (a base with a parameter)',
    (handler) => {
      const sub = ordinaryRoutes(new Hono<ColivaraEnv>().use(verifier()), "").post("/webhooks/colivara", handler);
      return {
        app: new Hono<ColivaraEnv>().route("/:tenant", sub),
        webhookPath: "/acme/webhooks/colivara",
        apiBase: "/acme",
      };
    },
  ],
  [
    'app.use(colivaraWebhook()), the webhook route in app.route("/", sub)',
    (handler) => {
      const sub = new Hono<ColivaraEnv>().post("/webhooks/colivara", handler);
      const app = ordinaryRoutes(new Hono<ColivaraEnv>({ strict: false }).use(verifier()), "/api").route("/", sub);
      return { app, webhookPath: "/webhooks/colivara" };
    },
  ],
  [
    'app.use("/webhooks/colivara/*", colivaraWebhook()) (a prefix)',
    (handler) => ({
      app: ordinaryRoutes(new Hono<ColivaraEnv>().use("/webhooks/colivara/*", verifier()), "/api").post(
        "/webhooks/colivara",
        handler,
      ),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    "app.post(path, colivaraWebhook(), handler) (the route)",
    (handler) => ({
      app: ordinaryRoutes(new Hono<ColivaraEnv>({ strict: false }), "/api").post(
        "/webhooks/colivara",
        verifier(),
        handler,
      ),
      webhookPath: "/webhooks/colivara",
    }),
  ],
];

describe.each(forms)("%s", (_form, build) => {
  async function serveForm() {
    let count = 0;
    const mounted = build((c) => {
      count += 1;
      return c.json({ handled: true });
    });
    return { ...mounted, calls: () => count, port: await listen(mounted.app) };
  }

  it("refuses a forged delivery sent with every spelling of the webhook path", async () => {
    const { port, webhookPath, calls } = await serveForm();
    expect(await forgedVariantsThatGetThrough(port, webhookPath, calls)).toEqual([]);
  });

  it("hands a genuine delivery to the handler", async () => {
    const { port, webhookPath, calls } = await serveForm();
    expect(await sendGenuine(port, secret, webhookPath)).toEqual({ status: 200, body: '{"handled":true}' });
    expect(calls()).toBe(1);
  });

  it("leaves the ordinary routes alone", async () => {
    const { port, apiBase = "/api" } = await serveForm();
    expect(await ordinaryAnswers(port, apiBase)).toMatchObject(UNTOUCHED);
  });
});
