// createPgBossWorker on a real PostgreSQL with pg-boss, fed by pgBossHandOff behind a real
// Express server: typed handlers, retries, permanent failures and exhausted attempts as
// dead letters, replay, and the inline route's refused deliveries.
import { permanentFailure } from "@colivara/webhooks";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import {
  createPgBossWorker,
  listPgBossDeadLetters,
  type PgBossWorker,
  type PgBossWorkerOptions,
  pgBossHandOff,
  replayPgBossDeadLetter,
  showPgBossDeadLetter,
} from "../src/index.js";
import { adminPool, CLIENTS, type Connected } from "./clients.js";
import { delivery, freshQueue, idOf, post, serve, startBoss } from "./pg-boss-support.js";

const secret = newSecret();
let server: PostgresServer;
let admin: pg.Pool;
let boss: PgBoss;
let pool: Connected;
const running: Array<{ stop(): Promise<unknown> }> = [];

beforeAll(async () => {
  server = await startPostgresServer();
  admin = adminPool(server.url);
  ({ boss } = await startBoss(server.url, { supervise: false, schedule: false }));
  pool = await CLIENTS["pg Pool"](server.url);
}, 60_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((one) => one.stop()));
});

afterAll(async () => {
  await pool?.close();
  await boss?.stop({ graceful: false });
  await admin?.end();
  await server?.remove();
});

const quick = { pollingIntervalSeconds: 0.5, backoff: { delayMs: 1000 }, onError: () => undefined };

/** Waits until the queue's dead letters are exactly one, like `expected`. */
async function untilDeadLetter(queue: string, expected: Record<string, unknown>): Promise<void> {
  await vi.waitFor(
    async () => expect(await listPgBossDeadLetters(boss, { queue })).toEqual([expect.objectContaining(expected)]),
    { timeout: 20_000, interval: 100 },
  );
}

/** A queue, a worker on it and a receiver handing off to it. */
async function setUp(options: Omit<PgBossWorkerOptions, "queue">) {
  const { queue, table } = await freshQueue(boss, admin);
  const worker: PgBossWorker = await createPgBossWorker(boss, { ...quick, ...options, queue });
  const handOff = pgBossHandOff(boss, { client: pool.client, queue, table });
  const app = await serve(secret, handOff, {
    "upsert.success": (event) => {
      throw permanentFailure(`no tenant for ${event.name}`);
    },
  });
  running.push(worker, { stop: app.close });
  return { queue, handOff, app };
}

describe("createPgBossWorker", () => {
  it("runs a handed-off delivery through the typed handler map, once", async () => {
    const runs: Array<{ id: string; name: string; at: boolean }> = [];
    const { app } = await setUp({
      on: {
        "upsert.success": (event, webhook) =>
          void runs.push({ id: webhook.id, name: event.name, at: webhook.timestamp instanceof Date }),
      },
    });
    const sent = delivery(secret, "a.pdf");
    expect((await post(`${app.base}/hand-off`, sent)).status).toBe(202);
    expect((await post(`${app.base}/hand-off`, sent)).status).toBe(200);
    await vi.waitFor(() => expect(runs).toEqual([{ id: idOf(sent), name: "a.pdf", at: true }]), { timeout: 10_000 });
  });

  it("retries a failing handler with backoff until it succeeds", async () => {
    const attempts: number[] = [];
    const { app } = await setUp({
      attempts: 5,
      on: {
        "upsert.success": () => {
          attempts.push(attempts.length + 1);
          if (attempts.length < 3) throw new Error("the search index is down");
        },
      },
    });
    expect((await post(`${app.base}/hand-off`, delivery(secret, "b.pdf"))).status).toBe(202);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2, 3]), { timeout: 30_000, interval: 100 });
  });

  it("permanentFailure: no retry, a dead letter with its reason; a replay runs it again", async () => {
    const runs: string[] = [];
    let refuse = true;
    const { queue, app } = await setUp({
      on: {
        "upsert.success": (event) => {
          runs.push(event.name);
          if (refuse) throw permanentFailure(`document ${event.name} is gone`);
        },
      },
    });
    const sent = delivery(secret, "c.pdf");
    expect((await post(`${app.base}/hand-off`, sent)).status).toBe(202);
    await untilDeadLetter(queue, {
      id: idOf(sent),
      kind: "failed",
      reason: "permanent_failure: document c.pdf is gone",
    });
    expect(runs).toEqual(["c.pdf"]);
    expect((await showPgBossDeadLetter(boss, idOf(sent), { queue }))?.webhook.event).toMatchObject({ name: "c.pdf" });

    refuse = false;
    expect(await replayPgBossDeadLetter(boss, idOf(sent), { queue })).toBe("replayed");
    await vi.waitFor(() => expect(runs).toEqual(["c.pdf", "c.pdf"]), { timeout: 10_000 });
    expect(await listPgBossDeadLetters(boss, { queue })).toEqual([]);
    expect(await replayPgBossDeadLetter(boss, idOf(sent), { queue })).toBe("not_found");
  });

  it("a handler that keeps failing becomes a dead letter after `attempts` runs", async () => {
    let runs = 0;
    const { queue, app } = await setUp({
      attempts: 2,
      on: {
        "upsert.success": () => {
          runs++;
          throw new Error("still down");
        },
      },
    });
    const sent = delivery(secret, "d.pdf");
    expect((await post(`${app.base}/hand-off`, sent)).status).toBe(202);
    await untilDeadLetter(queue, {
      id: idOf(sent),
      kind: "failed",
      reason: "failed after 2 attempts: still down",
      attemptsMade: 2,
    });
    expect(runs).toBe(2);
  });

  it("an inline route's refused delivery is listed as refused, and a replay hands it to the worker", async () => {
    const runs: string[] = [];
    const { queue, app } = await setUp({ on: { "upsert.success": (event) => void runs.push(event.name) } });
    const sent = delivery(secret, "e.pdf");
    expect((await post(`${app.base}/inline`, sent)).status).toBe(422);
    expect(await listPgBossDeadLetters(boss, { queue })).toEqual([
      expect.objectContaining({ id: idOf(sent), kind: "refused", reason: "no tenant for e.pdf" }),
    ]);
    expect(await replayPgBossDeadLetter(boss, idOf(sent), { queue })).toBe("replayed");
    await vi.waitFor(() => expect(runs).toEqual(["e.pdf"]), { timeout: 10_000 });
  });

  it("throws invalid_config for bad options, before creating anything", async () => {
    const on = { "upsert.success": () => undefined };
    await expect(createPgBossWorker(boss, { on, concurency: 2 } as never)).rejects.toMatchObject({
      code: "invalid_config",
      message: expect.stringContaining('Did you mean "concurrency"?'),
    });
    await expect(createPgBossWorker(boss, { on, attempts: 0 })).rejects.toMatchObject({ code: "invalid_config" });
    await expect(createPgBossWorker(boss, { on: { "upsert.sucess": () => undefined } as never })).rejects.toMatchObject(
      {
        code: "invalid_config",
      },
    );
    await expect(createPgBossWorker(boss, { on, expireInSeconds: 1.5 })).rejects.toMatchObject({
      code: "invalid_config",
    });
  });
});
