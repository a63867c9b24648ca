// PostgreSQL stopped while a delivery is claimed and its handler runs, then started again,
// behind a real Express server: during the outage new deliveries (and copies) answer
// `503 dedupe_unavailable` without running a handler; the handled mark of the delivery whose
// handler finished during the outage is retried (the core's 10 s) and lands once Postgres is
// back; then the retried delivery runs once and the copy is a duplicate.
import type { AddressInfo } from "node:net";
import type { DedupeStore } from "@colivara/webhooks";
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import { describe, expect, it, vi } from "vitest";
import { type IndependentDelivery, newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { migrate, postgresStore } from "../src/index.js";
import { CLIENTS, type ClientName, tableName, throwawayDatabase } from "./clients.js";

const db = throwawayDatabase();

const secret = newSecret();
const payload = (name: string) =>
  JSON.stringify({
    type: "upsert.success",
    message: "Document upserted successfully",
    id: 1,
    name,
    metadata: {},
    url: "https://example.com/a.pdf",
    num_pages: 1,
    collection_name: "default_collection",
  });

async function post(url: string, delivery: IndependentDelivery) {
  const response = await fetch(url, { method: "POST", body: String(delivery.body), headers: delivery.headers });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** The store, counting the handled marks it failed to store. */
function counting(store: DedupeStore) {
  const failed = { marks: 0 };
  const observed: DedupeStore = {
    claim: (id) => store.claim(id),
    release: (id, token) => store.release(id, token),
    extend: (id, token) => store.extend?.(id, token) ?? Promise.resolve(),
    complete: (id, token) =>
      store.complete(id, token).catch((error: unknown) => {
        failed.marks++;
        throw error;
      }),
  };
  return { observed, failed };
}

const idOf = (delivery: IndependentDelivery) => delivery.headers["svix-id"] as string;

describe.each<ClientName>(["pg Pool", "postgres.js"])("%s: PostgreSQL stopped and started again", (name) => {
  it("503 dedupe_unavailable while it is down; the handled mark lands once it is back; the retry runs once", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    const connected = await CLIENTS[name](db.server.url);
    const { observed, failed } = counting(postgresStore(connected.client, { table, leaseSeconds: 5 }));
    const runs: string[] = [];
    const errors: string[] = [];
    let reached: () => void = () => {};
    const midHandler = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let finish: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const held = signIndependently(secret, payload("held"));
    const app = express();
    app.post(
      "/webhooks/colivara",
      verifyColivara({ secret, dedupe: observed, onError: (error) => errors.push(String(error)) }),
      async (req, res) => {
        runs.push(req.colivara.id);
        if (req.colivara.id === idOf(held)) {
          reached();
          await gate;
        }
        res.sendStatus(204);
      },
    );
    const listening = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}/webhooks/colivara`;
    try {
      const first = post(url, held);
      await midHandler;
      await db.server.stop();

      // Claimed before the outage, handled during it: new deliveries and copies cannot be checked.
      const other = signIndependently(secret, payload("other"));
      const unavailable = { status: 503, body: { error: { code: "dedupe_unavailable" } } };
      expect(await post(url, other)).toMatchObject(unavailable);
      expect(await post(url, held)).toMatchObject(unavailable);
      finish();
      expect((await first).status).toBe(204);
      await vi.waitFor(() => expect(failed.marks).toBeGreaterThan(0), { timeout: 5000, interval: 20 });

      await db.server.restart();
      await vi.waitFor(
        async () => {
          const { rows } = await db.admin.query(`SELECT token FROM "${table}" WHERE key = $1`, [idOf(held)]);
          expect(rows).toEqual([{ token: null }]);
        },
        { timeout: 10_000, interval: 50 },
      );

      // The sender retries the refused delivery: it runs now, once; the copy is a duplicate.
      let retried = await post(url, other);
      for (let attempt = 0; retried.status === 503 && attempt < 50; attempt++) retried = await post(url, other);
      expect(retried.status).toBe(204);
      expect(await post(url, held)).toEqual({ status: 200, body: { duplicate: true } });
      expect(runs).toEqual([idOf(held), idOf(other)]);
      expect(errors.filter((error) => error.includes("handled mark"))).toEqual([]);
    } finally {
      listening.close();
      await connected.close();
    }
  }, 60_000);
});
