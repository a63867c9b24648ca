// pgBossHandOff behind a real Express server, on a real PostgreSQL with pg-boss: the mark
// and the job are written in one transaction, so a failed job insert leaves no mark behind.
import { permanentFailure } from "@colivara/webhooks";
import { dedupeKey } from "@colivara/webhooks/adapter";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import { pgBossHandOff, pgBossJobId } from "../src/index.js";
import { adminPool, CLIENTS, type ClientName } from "./clients.js";
import { delivery, freshQueue, idOf, jobCount, markOf, post, serve, startBoss } from "./pg-boss-support.js";

const secret = newSecret();
let server: PostgresServer;
let admin: pg.Pool;
let boss: PgBoss;

beforeAll(async () => {
  server = await startPostgresServer();
  admin = adminPool(server.url);
  ({ boss } = await startBoss(server.url, { supervise: false, schedule: false }));
}, 60_000);

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await admin?.end();
  await server?.remove();
});

/**
 * Makes every insert of the job of delivery `id` raise, as a full disk would; with
 * `action` "SELECT pg_sleep(60)" it hangs there instead, for a test to kill the session.
 */
async function failJobInsertOf(
  id: string,
  action = "RAISE EXCEPTION 'injected: the job insert failed'",
): Promise<() => Promise<void>> {
  const name = `fail_${Math.random().toString(36).slice(2, 10)}`;
  const statement = action.startsWith("SELECT") ? `PERFORM ${action.slice("SELECT ".length)}` : action;
  await admin.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.data->>'id' = '${id.replaceAll("'", "''")}' THEN ${statement}; END IF;
  RETURN NEW;
END $$`);
  await admin.query(`CREATE TRIGGER ${name} BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return async () => {
    await admin.query(`DROP TRIGGER ${name} ON pgboss.job`);
    await admin.query(`DROP FUNCTION ${name}()`);
  };
}

describe.each<ClientName>(["pg Pool", "postgres.js"])("pgBossHandOff on %s", (clientName) => {
  async function setUp() {
    const { queue, table } = await freshQueue(boss, admin);
    const connected = await CLIENTS[clientName](server.url);
    const handOff = pgBossHandOff(boss, { client: connected.client, queue, table });
    const app = await serve(secret, handOff);
    const close = async () => {
      await app.close();
      await connected.close();
    };
    return { queue, table, url: `${app.base}/hand-off`, errors: app.errors, close };
  }

  it("answers 202 once the job is stored; a copy answers 200 duplicate and adds no job", async () => {
    const { queue, table, url, close } = await setUp();
    try {
      const sent = delivery(secret, "a.pdf");
      expect(await post(url, sent)).toEqual({ status: 202, body: { accepted: true } });
      const job = await boss.getJobById<{ id: string; event: { name: string } }>(queue, pgBossJobId(idOf(sent)));
      expect(job?.data).toMatchObject({ id: idOf(sent), event: { type: "upsert.success", name: "a.pdf" } });
      expect(await markOf(admin, table, await dedupeKey(idOf(sent)))).toEqual({ token: null });

      expect(await post(url, sent)).toEqual({ status: 200, body: { duplicate: true } });
      expect(await jobCount(admin, queue, idOf(sent))).toBe(1);
    } finally {
      await close();
    }
  });

  it("one transaction: a job insert that fails after the mark leaves no mark, so the retry is stored", async () => {
    const { queue, table, url, errors, close } = await setUp();
    try {
      const sent = delivery(secret, "b.pdf");
      const heal = await failJobInsertOf(idOf(sent));
      const refused = await post(url, sent);
      await heal();
      expect(refused).toMatchObject({ status: 503, body: { error: { code: "handoff_unavailable" } } });
      expect(errors).toEqual([
        expect.objectContaining({ code: "handoff_unavailable", message: expect.stringContaining("injected") }),
      ]);
      // The mark was written before the insert failed; the rollback took it away with the job.
      expect(await markOf(admin, table, await dedupeKey(idOf(sent)))).toBeUndefined();
      expect(await jobCount(admin, queue, idOf(sent))).toBe(0);

      // Svix retries: stored now, once; a later copy is a duplicate.
      expect((await post(url, sent)).status).toBe(202);
      expect((await post(url, sent)).status).toBe(200);
      expect(await jobCount(admin, queue, idOf(sent))).toBe(1);
    } finally {
      await close();
    }
  });

  it("one transaction: the session killed between the mark and the job insert leaves no mark", async () => {
    const { queue, table, url, close } = await setUp();
    try {
      const sent = delivery(secret, "d.pdf");
      const heal = await failJobInsertOf(idOf(sent), "SELECT pg_sleep(60)");
      const answer = post(url, sent);
      // The hand-off's session, marked and now inside the job insert: the crash point.
      const sleeping = async () =>
        (await admin.query("SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'")).rows as Array<{
          pid: number;
        }>;
      let sessions = await sleeping();
      while (sessions.length === 0) sessions = await sleeping();
      await admin.query("SELECT pg_terminate_backend($1)", [sessions[0]?.pid]);
      expect(await answer).toMatchObject({ status: 503, body: { error: { code: "handoff_unavailable" } } });
      await heal();
      expect(await markOf(admin, table, await dedupeKey(idOf(sent)))).toBeUndefined();
      expect((await post(url, sent)).status).toBe(202);
      expect(await jobCount(admin, queue, idOf(sent))).toBe(1);
    } finally {
      await close();
    }
  });

  it("copies racing each other: one 202, the rest 200, one job", async () => {
    const { queue, url, close } = await setUp();
    try {
      const sent = delivery(secret, "c.pdf");
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(url, sent)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
      expect(await jobCount(admin, queue, idOf(sent))).toBe(1);
    } finally {
      await close();
    }
  });
});

describe("pgBossHandOff.deadLetter", () => {
  it("keeps a delivery an inline handler refused in the dead letter queue, with the reason", async () => {
    const { queue, table } = await freshQueue(boss, admin);
    const connected = await CLIENTS["pg Pool"](server.url);
    const handOff = pgBossHandOff(boss, { client: connected.client, queue, table });
    const app = await serve(secret, handOff, {
      "upsert.success": (event) => {
        throw permanentFailure(`no tenant for ${event.name}`);
      },
    });
    try {
      const sent = delivery(secret, "e.pdf");
      const answer = await post(`${app.base}/inline`, sent);
      expect(answer).toMatchObject({ status: 422, body: { error: { code: "permanent_failure" } } });
      const kept = await boss.getJobById(`${queue}.dead-letters`, pgBossJobId(idOf(sent)));
      expect(kept?.data).toMatchObject({ id: idOf(sent), refused: "no tenant for e.pdf" });
    } finally {
      await app.close();
      await connected.close();
    }
  });
});

describe("pgBossHandOff options", () => {
  const pool = { query: async () => ({ rows: [] }), connect: async () => undefined, idleCount: 0 };

  it("throws invalid_config at creation, naming the option meant", () => {
    expect(() => pgBossHandOff(boss, { client: pool, timeout: 100 } as never)).toThrow(
      expect.objectContaining({
        code: "invalid_config",
        message: expect.stringContaining('Did you mean "timeoutMs"?'),
      }),
    );
    expect(() => pgBossHandOff(boss, { client: pool, timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: "invalid_config", message: expect.stringContaining("timeoutMs") }),
    );
    expect(() => pgBossHandOff(boss, { client: pool, queue: "" })).toThrow(
      expect.objectContaining({ code: "invalid_config" }),
    );
    expect(() => pgBossHandOff({} as PgBoss, { client: pool })).toThrow(
      expect.objectContaining({ code: "invalid_config", message: expect.stringContaining("PgBoss") }),
    );
  });

  it("refuses a single pg Client: a transaction needs a connection of its own", () => {
    const client = { query: async () => ({ rows: [] }), connect: async () => undefined };
    expect(() => pgBossHandOff(boss, { client })).toThrow(
      expect.objectContaining({ code: "invalid_config", message: expect.stringContaining("single pg Client") }),
    );
  });

  it("maps a delivery id to the same UUID v8 every time", () => {
    const id = pgBossJobId("msg_2bTWDqLj1gJ7A2YbDsV3xX0tX9s");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pgBossJobId("msg_2bTWDqLj1gJ7A2YbDsV3xX0tX9s")).toBe(id);
    expect(pgBossJobId("msg_2bTWDqLj1gJ7A2YbDsV3xX0tX9t")).not.toBe(id);
  });
});
