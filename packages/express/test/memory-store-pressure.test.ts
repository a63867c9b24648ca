// The default in-memory store at its bound, over real HTTP: a retry of a delivery still being
// handled must be answered 409 (never run a second time), and a new delivery that does not
// fit answers 503 so Svix retries it later.
import type { AddressInfo } from "node:net";
import { memoryStore } from "@colivara/webhooks";
import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Delivery, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { eventually } from "../../../test/support/eventually.js";
import { verifyColivara } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/colivara`;
}

/** An app whose handler holds every delivery until the test lets it go. */
async function slowApp(onError: (error: unknown) => void) {
  const calls = new Map<string, number>();
  const waiting: Array<() => void> = [];
  const app = express();
  const handler = async (_event: unknown, webhook: { id: string }) => {
    calls.set(webhook.id, (calls.get(webhook.id) ?? 0) + 1);
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  app.post(
    "/webhooks/colivara",
    verifyColivara({ secret, dedupe: memoryStore({ maxEntries: 2 }), onError, on: { "upsert.success": handler } }),
  );
  const url = await listen(app);
  const releaseAll = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { url, calls, releaseAll, started: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

/**
 * The response, once it came or once the handler ran more than `runs` times in all (the
 * handlers are then let go, so a request the store wrongly let through still answers).
 */
async function answeredOrStarted(
  app: { started(): number; releaseAll(): void },
  request: Promise<Response>,
  runs: number,
) {
  let answered = false;
  void request.then(() => {
    answered = true;
  });
  await eventually(() => expect(answered || app.started() > runs).toBe(true));
  if (!answered) app.releaseAll();
  return request;
}

describe("memoryStore({ maxEntries: 2 }) behind Express, two slow handlers in flight", () => {
  it("answers a third delivery 503, a retry of one in flight 409, and runs each handler once", async () => {
    const onError = vi.fn();
    const app = await slowApp(onError);
    const [a, b, c] = [0, 1, 2].map(() => sign(secret, successPayload())) as [Delivery, Delivery, Delivery];
    const post = (delivery: Delivery) =>
      fetch(app.url, { method: "POST", body: delivery.body, headers: delivery.headers });

    const first = post(a);
    const second = post(b);
    await eventually(() => expect(app.started()).toBe(2));

    // Before the fix, c's claim evicted a's and b's and c ran: wait for an answer or a third run.
    const third = await answeredOrStarted(app, post(c), 2);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("dedupe_unavailable");
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/maxEntries/) }),
      expect.anything(),
    );

    const retry = await answeredOrStarted(app, post(a), 2);
    expect(retry.status).toBe(409);
    app.releaseAll();
    expect((await first).status).toBe(204);
    expect((await second).status).toBe(204);
    expect(app.calls.get(a.id)).toBe(1);

    // Handled marks make room: the third delivery's retry now runs.
    const later = post(c);
    await eventually(() => expect(app.calls.get(c.id)).toBe(1));
    app.releaseAll();
    expect((await later).status).toBe(204);
  });
});
