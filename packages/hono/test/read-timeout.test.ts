import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { it } from "vitest";
import { newSecret } from "../../../test/conformance/deliveries.js";
import { expectSlowUploadCutOff } from "../../../test/conformance/read-timeout.js";
import { type ColivaraEnv, colivaraWebhook } from "../src/index.js";

it("cuts off a client that trickles its body after readTimeoutMs with 408", async () => {
  const handled: string[] = [];
  const app = new Hono<ColivaraEnv>();
  app.post("/hook", colivaraWebhook({ secret: newSecret(), readTimeoutMs: 300 }), (c) => {
    handled.push(c.get("colivara").id);
    return c.body(null, 204);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  try {
    await expectSlowUploadCutOff(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, () => handled);
  } finally {
    (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    server.close();
  }
});
