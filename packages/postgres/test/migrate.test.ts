// The migration on a real PostgreSQL: what it creates, that it is idempotent and safe when
// instances start together, and that a table name is always one quoted identifier.
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { DEFAULT_TABLE, MIGRATION_SQL, migrate, migrationSql, postgresStore } from "../src/index.js";
import { CLIENT_NAMES, CLIENTS, tableName, throwawayDatabase } from "./clients.js";

const db = throwawayDatabase();

async function columns(table: string): Promise<string[]> {
  const { rows } = await db.admin.query(
    "SELECT column_name || ' ' || data_type || ' ' || is_nullable AS c FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return rows.map((row: { c: string }) => row.c);
}

async function tables(): Promise<string[]> {
  const { rows } = await db.admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((row: { tablename: string }) => row.tablename);
}

describe("migrate", () => {
  it.each(CLIENT_NAMES)(
    "creates the table and its index through %s, and does nothing the second time",
    async (name) => {
      const table = tableName();
      const connected = await CLIENTS[name](db.server.url);
      try {
        await migrate(connected.client, { table });
        await migrate(connected.client, { table });
      } finally {
        await connected.close();
      }
      expect(await columns(table)).toEqual(["key text NO", "token text YES", "expires_at timestamp with time zone NO"]);
      const { rows } = await db.admin.query("SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1", [
        table,
      ]);
      expect(rows.map((row: { indexname: string }) => row.indexname)).toEqual([`${table}_expires_at`, `${table}_pkey`]);
    },
  );

  it("lets ten instances starting together migrate the same table at once", async () => {
    const table = tableName();
    const clients = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const client = new pg.Client({ connectionString: db.server.url });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all(clients.map((client) => migrate(client, { table })));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(await columns(table)).toHaveLength(3);
  });

  it("uses colivara_webhook_dedupe by default, and MIGRATION_SQL run by hand is the same migration", async () => {
    expect(MIGRATION_SQL).toBe(migrationSql());
    expect(MIGRATION_SQL).toContain(`CREATE TABLE IF NOT EXISTS "${DEFAULT_TABLE}"`);
    await db.admin.query(MIGRATION_SQL);
    await db.admin.query(MIGRATION_SQL);
    expect(await columns(DEFAULT_TABLE)).toHaveLength(3);
    const dedupe = postgresStore(db.admin);
    const claim = await dedupe.claim("msg_default");
    expect(claim.status).toBe("claimed");
    const { rows } = await db.admin.query(`SELECT token FROM ${DEFAULT_TABLE} WHERE key = 'msg_default'`);
    expect(rows).toEqual([{ token: claim.token }]);
  });

  it.each(["packages/postgres/README.md", "docs/production/postgres.md"])(
    "is the SQL %s shows, word for word",
    (page) => {
      const text = readFileSync(new URL(`../../../${page}`, import.meta.url), "utf8");
      const blocks = [...text.matchAll(/^```sql\n([\s\S]*?)^```/gm)].map((match) => match[1]);
      expect(blocks).toEqual([MIGRATION_SQL]);
    },
  );

  it("quotes any table name as one identifier: SQL in a name is never run", async () => {
    const victim = tableName();
    await db.admin.query(`CREATE TABLE ${victim} (x int)`);
    const table = `dedupe"; DROP TABLE ${victim}; --$colivara$`;
    expect(migrationSql({ table })).toContain(`"dedupe""; DROP TABLE ${victim}; --$colivara$"`);
    await migrate(db.admin, { table });
    const dedupe = postgresStore(db.admin, { table });
    const claim = await dedupe.claim("msg_quoted");
    await dedupe.complete("msg_quoted", claim.token as string);
    expect(await dedupe.claim("msg_quoted")).toEqual({ status: "done" });
    expect(await tables()).toEqual(expect.arrayContaining([victim, table]));
  });

  it("fails with the database's own error when the table is missing: run migrate first", async () => {
    const dedupe = postgresStore(db.admin, { table: tableName() });
    await expect(dedupe.claim("msg_nowhere")).rejects.toThrow(/does not exist/);
  });
});
