// postgresStore against a real PostgreSQL, through every client it supports: node-postgres
// Pool and Client, and postgres.js. An independent pg Pool looks at the rows.
import { createHash } from "node:crypto";
import { createWebhookHandler, type DedupeStore, WebhookVerificationError } from "@colivara/webhooks";
import { upsertSuccessEvent } from "@colivara/webhooks/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newSecret, signedFetchRequest } from "../../../test/support/independent-signer.js";
import { migrate, type PostgresStoreOptions, postgresStore } from "../src/index.js";
import { CLIENT_NAMES, CLIENTS, type Connected, tableName, throwawayDatabase } from "./clients.js";

const db = throwawayDatabase();

/** The row of `key` as the table holds it, and how many seconds its expiry is away. */
async function row(table: string, key: string) {
  const { rows } = await db.admin.query(
    `SELECT token, extract(epoch FROM expires_at - now())::float8 AS seconds FROM "${table}" WHERE key = $1`,
    [key],
  );
  return rows[0] as { token: string | null; seconds: number } | undefined;
}

/** The row of `key` exactly as stored: its token and its expiry to the microsecond. */
async function stored(table: string, key: string) {
  const { rows } = await db.admin.query(`SELECT token, expires_at::text AS expires FROM "${table}" WHERE key = $1`, [
    key,
  ]);
  return rows[0] as { token: string | null; expires: string } | undefined;
}

function expectCode(error: unknown, code: string) {
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).code).toBe(code);
}

describe("configuration fails at creation with invalid_config", () => {
  const client = { query: async () => ({ rows: [] }) };

  it.each([
    ["null", null],
    ["a string", "postgres://127.0.0.1"],
    ["an object without query or unsafe", { connect() {} }],
  ])("refuses a client that is %s", (_, value) => {
    let error: unknown;
    try {
      postgresStore(value as never);
    } catch (caught) {
      error = caught;
    }
    expectCode(error, "invalid_config");
    expect((error as Error).message).toContain("new pg.Pool");
  });

  it.each<[string, PostgresStoreOptions]>([
    ["ttlSeconds 0", { ttlSeconds: 0 }],
    ["ttlSeconds -1", { ttlSeconds: -1 }],
    ["ttlSeconds NaN", { ttlSeconds: Number.NaN }],
    ["ttlSeconds Infinity", { ttlSeconds: Number.POSITIVE_INFINITY }],
    ["ttlSeconds as a string", { ttlSeconds: "60" as unknown as number }],
    ["ttlSeconds too large", { ttlSeconds: 1e300 }],
    ["leaseSeconds 0", { leaseSeconds: 0 }],
    ["leaseSeconds -5", { leaseSeconds: -5 }],
    ["an empty table name", { table: "" }],
    ["a table name Postgres would cut (53 bytes)", { table: "t".repeat(53) }],
    ["a table name with NUL", { table: "a\u0000b" }],
    ["a table that is not a string", { table: 42 as unknown as string }],
  ])("refuses %s", (_, options) => {
    expect(() => postgresStore(client, options)).toThrow(WebhookVerificationError);
    try {
      postgresStore(client, options);
    } catch (error) {
      expectCode(error, "invalid_config");
    }
  });

  it("refuses options that are not an object", () => {
    expect(() => postgresStore(client, "fast" as never)).toThrow(/options must be an object/);
  });

  it("accepts the longest table name whose index name Postgres keeps whole (52 bytes)", () => {
    expect(() => postgresStore(client, { table: "t".repeat(52) })).not.toThrow();
  });
});

describe.each(CLIENT_NAMES)("postgresStore with %s", (name) => {
  let connected: Connected;
  const table = tableName();
  const store = (options: PostgresStoreOptions = {}): DedupeStore =>
    postgresStore(connected.client, { table, ...options });
  const newKey = () => `msg_${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    connected = await CLIENTS[name](db.server.url);
    await migrate(connected.client, { table });
  });
  afterAll(async () => {
    await connected?.close();
  });

  it("claims a new id once; a second claim is in flight; after complete it is done", async () => {
    const dedupe = store();
    const key = newKey();
    const claim = await dedupe.claim(key);
    expect(claim).toEqual({ status: "claimed", token: expect.any(String) });
    expect(await dedupe.claim(key)).toEqual({ status: "in_flight" });
    await dedupe.complete(key, claim.token as string);
    expect(await dedupe.claim(key)).toEqual({ status: "done" });
  });

  it("gives out exactly one claim among 50 concurrent ones", async () => {
    const dedupe = store();
    const key = newKey();
    const claims = await Promise.all(Array.from({ length: 50 }, () => dedupe.claim(key)));
    expect(claims.filter((claim) => claim.status === "claimed")).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === "in_flight")).toHaveLength(49);
  });

  it("holds an in-flight claim for the lease and a handled id for the TTL (28 hours by default)", async () => {
    const dedupe = store({ leaseSeconds: 90 });
    const key = newKey();
    const claim = await dedupe.claim(key);
    const leased = await row(table, key);
    expect(leased?.token).toBe(claim.token);
    expect(leased?.seconds).toBeGreaterThan(80);
    expect(leased?.seconds).toBeLessThanOrEqual(90);
    await store().complete(key, claim.token as string);
    const handled = await row(table, key);
    expect(handled?.token).toBeNull();
    expect(handled?.seconds).toBeGreaterThan(28 * 3600 - 60);
    expect(handled?.seconds).toBeLessThanOrEqual(28 * 3600);
  });

  it("keeps fractional seconds to the millisecond", async () => {
    const key = newKey();
    const claim = await store({ leaseSeconds: 0.25, ttlSeconds: 2.5 }).claim(key);
    expect((await row(table, key))?.seconds).toBeLessThanOrEqual(0.25);
    await store({ ttlSeconds: 2.5 }).complete(key, claim.token as string);
    const handled = await row(table, key);
    expect(handled?.seconds).toBeLessThanOrEqual(2.5);
    expect(handled?.seconds).toBeGreaterThan(1.5);
  });

  it("forgets a handled id after its TTL: a copy then runs again", async () => {
    const dedupe = store({ ttlSeconds: 0.3 });
    const key = newKey();
    await dedupe.complete(key, (await dedupe.claim(key)).token as string);
    expect(await dedupe.claim(key)).toEqual({ status: "done" });
    await vi.waitFor(async () => expect((await dedupe.claim(key)).status).toBe("claimed"), {
      timeout: 5000,
      interval: 50,
    });
  });

  it("release gives the id back so the retry is claimed with a new token", async () => {
    const dedupe = store();
    const key = newKey();
    const first = await dedupe.claim(key);
    await dedupe.release(key, first.token as string);
    expect(await row(table, key)).toBeUndefined();
    const second = await dedupe.claim(key);
    expect(second.status).toBe("claimed");
    expect(second.token).not.toBe(first.token);
  });

  it("never lets a wrong token release, complete or extend another attempt's claim", async () => {
    const dedupe = store();
    const key = newKey();
    const claim = await dedupe.claim(key);
    const before = await stored(table, key);
    expect(before?.token).toBe(claim.token);
    await dedupe.release(key, "not-the-token");
    await dedupe.complete(key, "not-the-token");
    await dedupe.extend?.(key, "not-the-token");
    expect(await stored(table, key)).toEqual(before);
    expect(await dedupe.claim(key)).toEqual({ status: "in_flight" });
    expect(claim.status).toBe("claimed");
  });

  it("never forgets a handled id through a late release or a second complete", async () => {
    const dedupe = store();
    const key = newKey();
    const claim = await dedupe.claim(key);
    await dedupe.complete(key, claim.token as string);
    const marked = await stored(table, key);
    await dedupe.release(key, claim.token as string);
    await dedupe.complete(key, claim.token as string);
    await dedupe.extend?.(key, claim.token as string);
    expect(await stored(table, key)).toEqual(marked);
    expect(await dedupe.claim(key)).toEqual({ status: "done" });
  });

  it("lets a claim expire after its lease; the stale owner can then neither release nor complete it", async () => {
    const dedupe = store({ leaseSeconds: 0.2 });
    const key = newKey();
    const stale = await dedupe.claim(key);
    let fresh = await dedupe.claim(key);
    expect(fresh).toEqual({ status: "in_flight" });
    await vi.waitFor(
      async () => {
        fresh = await dedupe.claim(key);
        expect(fresh.status).toBe("claimed");
      },
      { timeout: 5000, interval: 50 },
    );
    expect(fresh.token).not.toBe(stale.token);
    const taken = await stored(table, key);
    expect(taken?.token).toBe(fresh.token);
    await dedupe.release(key, stale.token as string);
    await dedupe.complete(key, stale.token as string);
    await dedupe.extend?.(key, stale.token as string);
    expect(await stored(table, key)).toEqual(taken);
  });

  it("still records a handler that finished after its lease ran out, if nobody claimed the id since", async () => {
    const dedupe = store({ leaseSeconds: 0.1 });
    const key = newKey();
    const claim = await dedupe.claim(key);
    await vi.waitFor(async () => expect((await row(table, key))?.seconds).toBeLessThan(0), {
      timeout: 5000,
      interval: 50,
    });
    await dedupe.complete(key, claim.token as string);
    expect(await dedupe.claim(key)).toEqual({ status: "done" });
  });

  it("extends a claim's lease only while the token holds it: back at the full lease", async () => {
    const dedupe = store({ leaseSeconds: 30 });
    const key = newKey();
    const claim = await dedupe.claim(key);
    await db.admin.query(`UPDATE "${table}" SET expires_at = now() + interval '2 seconds' WHERE key = $1`, [key]);
    expect((await row(table, key))?.seconds).toBeLessThanOrEqual(2);
    await dedupe.extend?.(key, claim.token as string);
    expect((await row(table, key))?.seconds).toBeGreaterThan(20);
    await dedupe.complete(key, claim.token as string);
    const marked = await stored(table, key);
    await dedupe.extend?.(key, claim.token as string);
    expect(await stored(table, key)).toEqual(marked);
  });

  it("refuses a key over 256 UTF-8 bytes, with NUL, or with a lone surrogate (dedupe_unavailable), and keeps 256 bytes", async () => {
    const dedupe = store();
    const widest = "é".repeat(128); // 256 bytes
    expect((await dedupe.claim(widest)).status).toBe("claimed");
    for (const key of ["é".repeat(129), "x".repeat(257), "msg_\u0000", "msg_\uD800"]) {
      const error = await dedupe.claim(key).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expectCode(error, "dedupe_unavailable");
      expect((error as Error).message).toContain("dedupeKey()");
      await expect(dedupe.complete(key, "t")).rejects.toThrow(WebhookVerificationError);
    }
  });

  it("deletes expired rows as later claims come, at most ten per sweep", async () => {
    const sweepTable = tableName();
    await migrate(connected.client, { table: sweepTable });
    await db.admin.query(
      `INSERT INTO "${sweepTable}" (key, token, expires_at) SELECT 'old_' || i, NULL, now() - interval '1 second' FROM generate_series(1, 25) i`,
    );
    const dedupe = postgresStore(connected.client, { table: sweepTable });
    const remaining = async () => Number((await db.admin.query(`SELECT count(*) FROM "${sweepTable}"`)).rows[0].count);
    // 25 expired rows; each claim adds one live row and sweeps at most ten expired ones.
    for (const expected of [25 + 1 - 10, 15 + 2 - 10, 5 + 3 - 5, 4]) {
      await dedupe.claim(newKey());
      await vi.waitFor(async () => expect(await remaining()).toBe(expected), { timeout: 5000, interval: 20 });
    }
    // Only the four live claims are left.
    expect(await remaining()).toBe(4);
  });
});

describe("across clients and connections", () => {
  it("gives out exactly one claim among 50 stores on 50 connections of their own", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    const clients = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = new pg.Client({ connectionString: db.server.url });
        await client.connect();
        return client;
      }),
    );
    try {
      const claims = await Promise.all(clients.map((client) => postgresStore(client, { table }).claim("msg_race")));
      expect(claims.filter((claim) => claim.status === "claimed")).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it("sends a single pg Client's statements one at a time (pg 8 only queues overlapping ones; pg 9 refuses them)", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    const client = new pg.Client({ connectionString: db.server.url });
    await client.connect();
    // Counts the statements in flight on the connection; the queries themselves are real.
    let running = 0;
    let most = 0;
    const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<unknown>;
    (client as unknown as { query: typeof query }).query = (text, values) => {
      most = Math.max(most, ++running);
      return query(text, values).finally(() => running--);
    };
    try {
      const dedupe = postgresStore(client, { table });
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => dedupe.claim(`msg_one_${i % 10}`)));
      expect(claims.filter((claim) => claim.status === "claimed")).toHaveLength(10);
      expect(most).toBe(1);
    } finally {
      await client.end();
    }
  });

  it("never gives out two claims when the database runs every transaction SERIALIZABLE: a loser is in flight or refused (503)", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    const pool = new pg.Pool({
      connectionString: db.server.url,
      max: 20,
      options: "-c default_transaction_isolation=serializable",
    });
    pool.on("error", () => undefined);
    try {
      const dedupe = postgresStore(pool, { table });
      for (let round = 0; round < 5; round++) {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () => dedupe.claim(`msg_serial_${round}`)),
        );
        const claimed = outcomes.filter(
          (outcome) => outcome.status === "fulfilled" && outcome.value.status === "claimed",
        );
        const others = outcomes.filter(
          (outcome) => outcome.status === "rejected" || outcome.value.status !== "claimed",
        );
        expect(claimed.length).toBeLessThanOrEqual(1);
        for (const outcome of others) {
          if (outcome.status === "fulfilled") expect(outcome.value).toEqual({ status: "in_flight" });
          else expect(String(outcome.reason)).toMatch(/could not serialize/);
        }
        // Whoever lost, the row holds exactly one claim, and the next claim sees it.
        const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM "${table}" WHERE key = $1`, [
          `msg_serial_${round}`,
        ]);
        expect(rows).toEqual([{ n: 1 }]);
        expect(await dedupe.claim(`msg_serial_${round}`)).toEqual({ status: "in_flight" });
      }
    } finally {
      await pool.end();
    }
  });

  it("re-claims 400 expired ids from 20 connections while sweeps delete expired rows: every claim wins, no deadlock", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    await db.admin.query(
      `INSERT INTO "${table}" (key, token, expires_at) SELECT 'old_' || i, 'gone', now() - interval '1 second' FROM generate_series(1, 400) i`,
    );
    const pool = new pg.Pool({ connectionString: db.server.url, max: 20 });
    pool.on("error", () => undefined);
    try {
      // Twenty stores, so twenty sweepers run beside the claims, as on twenty instances.
      const stores = Array.from({ length: 20 }, () => postgresStore(pool, { table }));
      const keys = Array.from({ length: 400 }, (_, i) => `old_${i + 1}`).sort(() => Math.random() - 0.5);
      const outcomes = await Promise.allSettled(keys.map((key, i) => (stores[i % 20] as DedupeStore).claim(key)));
      const failures = outcomes
        .filter((outcome) => outcome.status === "rejected")
        .map((outcome) => String(outcome.reason));
      expect(failures).toEqual([]);
      expect(outcomes.every((outcome) => outcome.status === "fulfilled" && outcome.value.status === "claimed")).toBe(
        true,
      );
    } finally {
      await pool.end();
    }
  });

  it("shares one table between pg and postgres.js: a claim made by one is seen by the other", async () => {
    const table = tableName();
    const a = await CLIENTS["pg Pool"](db.server.url);
    const b = await CLIENTS["postgres.js"](db.server.url);
    try {
      await migrate(a.client, { table });
      const viaPg = postgresStore(a.client, { table });
      const viaPostgresJs = postgresStore(b.client, { table });
      const claim = await viaPg.claim("msg_shared");
      expect(await viaPostgresJs.claim("msg_shared")).toEqual({ status: "in_flight" });
      await viaPostgresJs.complete("msg_shared", claim.token as string);
      expect(await viaPg.claim("msg_shared")).toEqual({ status: "done" });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("handles a signed 1 MiB svix-id once, under a key of at most 256 bytes (its SHA-256)", async () => {
    const table = tableName();
    await migrate(db.admin, { table });
    const secret = newSecret();
    const id = `msg_${"L".repeat(1024 * 1024)}`;
    const seen: string[] = [];
    const handle = createWebhookHandler((webhook) => void seen.push(webhook.id), {
      secret,
      dedupe: postgresStore(db.admin, { table }),
    });
    const request = () => signedFetchRequest(secret, JSON.stringify(upsertSuccessEvent()), id);
    expect((await handle(request())).status).toBe(204);
    const copy = await handle(request());
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ duplicate: true });
    expect(seen).toHaveLength(1);
    const { rows } = await db.admin.query(`SELECT key FROM "${table}"`);
    expect(rows).toEqual([{ key: `~sha256-${createHash("sha256").update(id).digest("hex")}` }]);
  });
});
