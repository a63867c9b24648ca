// How verifyColivara() behaves around the rest of an app: mounted app-wide it only takes its
// path; errors of the routes behind it reach onError and free the delivery for the retry;
// req.colivara where the middleware did not run fails loudly. Express 4 and 5.
import type { AddressInfo } from "node:net";
import express5 from "express";
import express4 from "express4";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { eventually } from "../../../test/support/eventually.js";
import { colivaraErrorHandler, verifyColivara } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

type App = ReturnType<typeof express5>;

async function listen(app: App): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function deliver(url: string, delivery: { body: string; headers: Record<string, string> }) {
  return fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
}

describe.each([
  ["express 5", express5],
  ["express 4", express4 as unknown as typeof express5],
])("%s", (_name, express) => {
  describe("app.use(verifyColivara()) acts on the webhook path only", () => {
    async function appWide(options: Parameters<typeof verifyColivara>[0] = {}) {
      const app = express();
      app.use(verifyColivara({ secret, ...options }));
      app.use(express.json());
      app.get("/health", (_req, res) => {
        res.json({ ok: true });
      });
      app.post("/api/items", (req, res) => {
        res.json({ received: req.body });
      });
      app.post(options.path ?? "/webhooks/colivara", (req, res) => {
        res.json({ type: req.colivara.event.type });
      });
      return listen(app);
    }

    it("leaves other routes alone and verifies the webhook path", async () => {
      const base = await appWide();
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const items = await fetch(`${base}/api/items`, {
        method: "POST",
        body: JSON.stringify({ a: 1 }),
        headers: { "content-type": "application/json" },
      });
      expect(await items.json()).toEqual({ received: { a: 1 } });
      const genuine = await deliver(`${base}/webhooks/colivara`, sign(secret, successPayload()));
      expect(await genuine.json()).toEqual({ type: "upsert.success" });
      const forged = await deliver(`${base}/webhooks/colivara`, sign(newSecret(), successPayload()));
      expect(forged.status).toBe(401);
    });

    it("takes another path from the path option", async () => {
      const base = await appWide({ path: "/hooks/cv" });
      expect((await deliver(`${base}/hooks/cv`, sign(newSecret(), successPayload()))).status).toBe(401);
      expect(await (await deliver(`${base}/hooks/cv`, sign(secret, successPayload()))).json()).toEqual({
        type: "upsert.success",
      });
    });

    it("keeps verifying everything under a prefix it is mounted on", async () => {
      const app = express();
      app.use("/webhooks/colivara", verifyColivara({ secret }));
      app.post("/webhooks/colivara", (req, res) => {
        res.json({ id: req.colivara.id });
      });
      const base = await listen(app);
      expect((await fetch(`${base}/webhooks/colivara`)).status).toBe(405);
    });
  });

  describe("errors of the route behind the middleware", () => {
    function failingApp(withErrorHandler: boolean) {
      const onError = vi.fn();
      const runs: string[] = [];
      const app = express();
      app.post("/hook", verifyColivara({ secret, onError }), (req, _res) => {
        runs.push(req.colivara.id);
        if (runs.length === 1) throw new Error(`database down ${secret}`);
        _res.sendStatus(204);
      });
      if (withErrorHandler) app.use(colivaraErrorHandler());
      return { app, onError, runs };
    }

    it("with colivaraErrorHandler(): onError gets the error, the sender a 500 without it, the retry runs", async () => {
      const { app, onError, runs } = failingApp(true);
      const base = await listen(app);
      const delivery = sign(secret, successPayload());
      const failed = await deliver(`${base}/hook`, delivery);
      expect(failed.status).toBe(500);
      const text = await failed.text();
      expect(JSON.parse(text).error.code).toBe("handler_failed");
      expect(text).not.toContain("database down");
      expect(onError).toHaveBeenCalledOnce();
      expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: expect.stringContaining("database down") });
      expect(onError.mock.calls[0]?.[1]?.webhook?.id).toBe(delivery.headers["svix-id"]);
      await eventually(async () => expect((await deliver(`${base}/hook`, delivery)).status).toBe(204));
      expect(runs).toHaveLength(2);
    });

    it("without it: Express answers 500, the pack reports the failed answer and frees the retry", async () => {
      const { app, onError, runs } = failingApp(false);
      const base = await listen(app);
      const delivery = sign(secret, successPayload());
      expect((await deliver(`${base}/hook`, delivery)).status).toBe(500);
      await eventually(() => expect(onError).toHaveBeenCalledOnce());
      expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "handler_failed" });
      await eventually(async () => expect((await deliver(`${base}/hook`, delivery)).status).toBe(204));
      expect(runs).toHaveLength(2);
    });
  });
});

// The guard sits on the copy of Express the adapter imports: Express 5 in this workspace.
// An Express 4 app whose adapter imports the same Express 4 is in guard-express4.test.ts.
it("req.colivara on an Express 5 route without the middleware throws, naming the fix", async () => {
  verifyColivara({ secret });
  const app = express5();
  app.post("/other", (req, res) => {
    try {
      res.json({ value: req.colivara });
    } catch (error) {
      res.status(500).json({ code: (error as { code?: string }).code, message: (error as Error).message });
    }
  });
  const answer = await (await fetch(`${await listen(app)}/other`, { method: "POST" })).json();
  expect(answer.code).toBe("invalid_config");
  expect(answer.message).toContain("verifyColivara()");
});

it("an unknown option throws invalid_config at start-up, naming the nearest known one", () => {
  expect(() => verifyColivara({ secret, tolerance: 60 } as never)).toThrow(
    /Unknown option "tolerance".*"toleranceSeconds"/,
  );
  expect(() => verifyColivara({ secret, pth: "/x" } as never)).toThrow(/"path"/);
});
