import type { AddressInfo } from "node:net";
import express from "express";
import { expect, it } from "vitest";
import { newSecret } from "../../../test/conformance/deliveries.js";
import { expectSlowUploadCutOff } from "../../../test/conformance/read-timeout.js";
import { verifyColivara } from "../src/index.js";

it("cuts off a client that trickles its body after readTimeoutMs with 408", async () => {
  const handled: string[] = [];
  const app = express();
  app.post("/hook", verifyColivara({ secret: newSecret(), readTimeoutMs: 300 }), (req, res) => {
    handled.push(req.colivara.id);
    res.sendStatus(200);
  });
  app.get("/health", (_req, res) => {
    res.send("ok");
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await expectSlowUploadCutOff(`${base}/hook`, () => handled);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

it("rejects a read timeout that is not a positive number at start-up", () => {
  expect(() => verifyColivara({ secret: newSecret(), readTimeoutMs: 0 })).toThrow(/readTimeoutMs/);
});
