// The conformance app (see test/conformance/suite.ts) built with Hono on @hono/node-server.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { ConformanceApp, HandledRecord } from "../../../test/conformance/suite.js";
import { type ColivaraEnv, colivaraWebhook } from "../src/index.js";

export async function startHonoApp(secret: string): Promise<ConformanceApp> {
  const handled: HandledRecord[] = [];
  const record = (route: HandledRecord["route"], id: string, event: { type: string } & Record<string, unknown>) => {
    handled.push({
      route,
      id,
      type: event.type,
      ...(typeof event.originalType === "string" ? { originalType: event.originalType } : {}),
      ...(typeof event.name === "string" ? { name: event.name } : {}),
    });
  };
  const app = new Hono<ColivaraEnv>();

  app.use("/webhooks/colivara", colivaraWebhook({ secret }));
  app.post("/webhooks/colivara", (c) => {
    const { id, event } = c.get("colivara");
    record("verify", id, event as never);
    return c.json({ id, type: event.type });
  });
  app.post(
    "/webhooks/handlers",
    colivaraWebhook({
      secret,
      onError: () => {},
      on: {
        "upsert.success": (event, webhook) => record("handlers", webhook.id, event as never),
        "upsert.fail": (event, webhook) => {
          if (event.name === "explode") throw new Error("handler exploded");
          record("handlers", webhook.id, event as never);
        },
        unknown: (event, webhook) => record("handlers", webhook.id, event as never),
      },
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
  app.post("/echo", async (c) => c.json(await c.req.json()));
  app.get("/health", (c) => c.text("ok"));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths: {
      verify: "/webhooks/colivara",
      handlers: "/webhooks/handlers",
      parsedFirst: "/webhooks/parsed-first",
      json: "/echo",
      health: "/health",
    },
    handled: async () => [...handled],
    close: () =>
      new Promise((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
