// The req.colivara guard on Express 4, as a user's install resolves it: the adapter imports
// the same Express 4 the app uses (the workspace's own `express` is 5, so the adapter's
// import is pointed at Express 4 here; nothing of the adapter or the verifier is replaced).
import type { AddressInfo } from "node:net";
import { afterEach, expect, it, vi } from "vitest";

vi.mock("express", async () => await import("express4"));

const { default: express } = await import("express");
const { verifyColivara } = await import("../src/index.js");
const { newSecret } = await import("../../../test/conformance/deliveries.js");

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

it("is Express 4 that the adapter and the app share here", async () => {
  const { default: express4 } = await import("express4");
  expect(express).toBe(express4);
});

it("req.colivara on a route without the middleware throws on Express 4, naming the fix", async () => {
  verifyColivara({ secret: newSecret() });
  const app = express();
  app.post("/other", (req, res) => {
    try {
      res.json({ value: req.colivara });
    } catch (error) {
      res.status(500).json({ code: (error as { code?: string }).code, message: (error as Error).message });
    }
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/other`;
  const answer = await (await fetch(url, { method: "POST" })).json();
  expect(answer.code).toBe("invalid_config");
  expect(answer.message).toContain("verifyColivara()");
});
