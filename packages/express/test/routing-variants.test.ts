// "Is this the webhook route" is Express's question: a forged delivery sent with any spelling
// of the webhook path that Express could route to the handler (case, trailing slash, encoded
// letters, dot segments, absolute-form targets, …) is refused by the verifier or never reaches
// the handler, in every documented mounting form; the rest of the app is untouched. Express 4
// and 5, over a real server and a raw socket.
import type { AddressInfo } from "node:net";
import express5, { type IRouter, type RequestHandler } from "express";
import express4 from "express4";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import {
  forgedDelivery,
  forgedVariantsThatGetThrough,
  isVerifierRefusal,
  ordinaryAnswers,
  sendGenuine,
  sendRaw,
  UNTOUCHED,
} from "../../../test/support/path-variants.js";
import { verifyColivara } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

type Express = typeof express5;
type App = ReturnType<Express>;

async function listen(app: App): Promise<number> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** What a form builds: the app, and the path a genuine delivery is sent to. */
interface Mounted {
  app: App;
  webhookPath: string;
  /** Where the ordinary routes live (`/api/health`, `/api/items`). */
  apiBase?: string;
}

/** The user's webhook handler: it records every call and does not read req.colivara. */
function recorder(): { handler: RequestHandler; calls: () => number } {
  let count = 0;
  return {
    handler: (_req, res) => {
      count += 1;
      res.status(200).json({ handled: true });
    },
    calls: () => count,
  };
}

/** `GET <prefix>/health` and `POST <prefix>/items` (JSON), on a router or an app. */
function ordinaryRoutes(express: Express, on: IRouter, prefix = "/api"): void {
  on.get(`${prefix}/health`, (_req, res) => {
    res.json({ ok: true });
  });
  on.post(`${prefix}/items`, express.json(), (req, res) => {
    res.json({ received: req.body });
  });
}

const verifier = (path?: string) => verifyColivara({ log: false, secret, ...(path ? { path } : {}) });

/** An app with the ordinary routes; `mount` adds the verifier and the webhook route. */
function appWith(express: Express, settings: Record<string, boolean>, mount: (app: App) => void): App {
  const app = express();
  for (const [name, value] of Object.entries(settings)) app.set(name, value);
  mount(app);
  ordinaryRoutes(express, app);
  return app;
}

/** `router.use(verifyColivara())` in a Router holding every route, mounted at `at`. */
function inRouter(
  express: Express,
  handler: RequestHandler,
  at: string,
  options?: { caseSensitive: true; strict: true },
): Mounted {
  const app = express();
  const router = express.Router(options);
  router.use(verifier());
  ordinaryRoutes(express, router, at === "/" ? "/api" : "");
  router.post("/webhooks/colivara", handler);
  app.use(at, router);
  return at === "/"
    ? { app, webhookPath: "/webhooks/colivara" }
    : { app, webhookPath: `${at}/webhooks/colivara`, apiBase: at };
}

const strictRouting = { "case sensitive routing": true, "strict routing": true };

type Form = [name: string, build: (express: Express, handler: RequestHandler) => Mounted];

const forms: Form[] = [
  [
    "app.use(verifyColivara())",
    (express, handler) => ({
      app: appWith(express, {}, (app) => app.use(verifier()).post("/webhooks/colivara", handler)),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    "app.use(verifyColivara()) in an app with case sensitive and strict routing",
    (express, handler) => ({
      app: appWith(express, strictRouting, (app) => app.use(verifier()).post("/webhooks/colivara", handler)),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    "app.use(verifyColivara()) in a case-sensitive app, the route in a Router (its own rules)",
    (express, handler) => ({
      app: appWith(express, strictRouting, (app) =>
        app.use(verifier()).use(express.Router().post("/webhooks/colivara", handler)),
      ),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    "app.use(verifyColivara({ path })) with a mixed-case path",
    (express, handler) => ({
      app: appWith(express, {}, (app) => app.use(verifier("/Hooks/ColiVara")).post("/Hooks/ColiVara", handler)),
      webhookPath: "/Hooks/ColiVara",
    }),
  ],
  ["router.use(verifyColivara()), the Router at the root", (express, handler) => inRouter(express, handler, "/")],
  [
    'router.use(verifyColivara()), the Router mounted at "/api"',
    (express, handler) => inRouter(express, handler, "/api"),
  ],
  [
    'router.use(verifyColivara()), a case-sensitive strict Router mounted at "/api"',
    (express, handler) => inRouter(express, handler, "/api", { caseSensitive: true, strict: true }),
  ],
  [
    'app.use(verifyColivara()) in a sub-app mounted at "/api"',
    (express, handler) => {
      const sub = express();
      sub.use(verifier());
      ordinaryRoutes(express, sub, "");
      sub.post("/webhooks/colivara", handler);
      const app = express();
      app.use("/api", sub);
      return { app, webhookPath: "/api/webhooks/colivara", apiBase: "/api" };
    },
  ],
  [
    'app.use("/webhooks/colivara", verifyColivara()) (a prefix)',
    (express, handler) => ({
      app: appWith(express, {}, (app) => app.use("/webhooks/colivara", verifier()).post("/webhooks/colivara", handler)),
      webhookPath: "/webhooks/colivara",
    }),
  ],
  [
    'app.use("/hooks", verifyColivara()) (a prefix that is not the webhook path)',
    (express, handler) => ({
      app: appWith(express, {}, (app) =>
        app.use("/hooks", verifier()).post("/hooks", handler).post("/hooks/colivara", handler),
      ),
      webhookPath: "/hooks",
    }),
  ],
  [
    "app.post(path, verifyColivara(), handler) (the route)",
    (express, handler) => ({
      app: appWith(express, {}, (app) => app.post("/webhooks/colivara", verifier(), handler)),
      webhookPath: "/webhooks/colivara",
    }),
  ],
];

describe.each([
  ["express 5", express5],
  ["express 4", express4 as unknown as Express],
])("%s", (_name, express) => {
  it("verifies everything under its mounts when one middleware is mounted both with and without a path (fails closed)", async () => {
    const verify = verifier();
    const { handler, calls } = recorder();
    const app = express();
    app.use("/api", express.Router().use(verify).post("/other", handler));
    app.use("/hooks", verify);
    app.post("/hooks/x", handler);
    const port = await listen(app);
    for (const target of ["/api/other", "/hooks/x"]) {
      expect(isVerifierRefusal(await sendRaw(port, { target, ...forgedDelivery() }))).toBe(true);
    }
    expect(calls()).toBe(0);
  });

  describe.each(forms)("%s", (_form, build) => {
    async function serve() {
      const { handler, calls } = recorder();
      const mounted = build(express, handler);
      return { ...mounted, calls, port: await listen(mounted.app) };
    }

    it("refuses a forged delivery sent with every spelling of the webhook path", async () => {
      const { port, webhookPath, calls } = await serve();
      expect(await forgedVariantsThatGetThrough(port, webhookPath, calls)).toEqual([]);
    });

    it("hands a genuine delivery to the handler", async () => {
      const { port, webhookPath, calls } = await serve();
      expect(await sendGenuine(port, secret, webhookPath)).toEqual({ status: 200, body: '{"handled":true}' });
      expect(calls()).toBe(1);
    });

    it("leaves the ordinary routes alone", async () => {
      const { port, apiBase = "/api" } = await serve();
      expect(await ordinaryAnswers(port, apiBase)).toMatchObject(UNTOUCHED);
    });
  });
});
