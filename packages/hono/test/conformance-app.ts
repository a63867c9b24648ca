// The conformance app (see test/conformance/suite.ts) built with Hono on @hono/node-server.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { ConformanceMetadata, createHandledLog } from "../../../test/conformance/handled-log.js";
import { type ConformanceApp, DEFAULT_PATHS } from "../../../test/conformance/suite.js";
import { type ColivaraEnv, colivaraWebhook } from "../src/index.js";

export async function startHonoApp(secret: string): Promise<ConformanceApp> {
  const { record, handled, on, recordTyped, deadLetter, log, records } = createHandledLog();
  const app = new Hono<ColivaraEnv>();

  app.use("/webhooks/colivara", colivaraWebhook({ secret, log }));
  app.post("/webhooks/colivara", (c) => {
    const webhook = c.get("colivara");
    record("verify", webhook);
    return c.json({ id: webhook.id, type: webhook.event.type });
  });
  app.post(
    "/webhooks/handlers",
    colivaraWebhook({
      secret,
      onError: () => {},
      on,
      log,
    }),
  );
  // Third-party middleware that parses the raw Request itself, bypassing Hono's body cache.
  app.post(
    "/webhooks/parsed-first",
    async (c, next) => {
      await c.req.raw.json();
      await next();
    },
    colivaraWebhook({ secret, onError: () => {} }),
    (c) => c.body(null, 200),
  );
  app.post(
    "/webhooks/metadata",
    colivaraWebhook({ secret, metadata: ConformanceMetadata, deadLetter, onError: () => {} }),
    (c) => {
      const webhook = c.get("colivara"); // typed by the schema
      recordTyped(webhook);
      return c.json({ id: webhook.id, type: webhook.event.type });
    },
  );
  app.post("/echo", async (c) => c.json(await c.req.json()));
  app.get("/health", (c) => c.text("ok"));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths: DEFAULT_PATHS,
    handled,
    records,
    close: () =>
      new Promise((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
