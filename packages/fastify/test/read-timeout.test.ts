import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { expect, it } from "vitest";
import { newSecret } from "../../../test/conformance/deliveries.js";
import { expectSlowUploadCutOff } from "../../../test/conformance/read-timeout.js";
import colivaraWebhooks from "../src/index.js";

it("cuts off a client that trickles its body after readTimeoutMs with 408", async () => {
  const handled: string[] = [];
  const app = Fastify();
  await app.register(colivaraWebhooks, { secret: newSecret(), readTimeoutMs: 300 });
  app.post("/hook", { config: { colivara: true } }, async (request) => {
    handled.push(request.colivara.id);
    return { ok: true };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    const { port } = app.server.address() as AddressInfo;
    await expectSlowUploadCutOff(`http://127.0.0.1:${port}/hook`, () => handled);
    expect((await app.inject({ method: "GET", url: "/nope" })).statusCode).toBe(404);
  } finally {
    await app.close();
  }
});
