// The clients the store supports, each connected to a test server: node-postgres's Pool and
// Client, and postgres.js 4 and 3. Each test file starts its own server (test/support/postgres-server.ts).
import pg from "pg";
import postgres from "postgres";
import postgres3 from "postgres3";
import { afterAll, beforeAll } from "vitest";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import type { PostgresClient } from "../src/index.js";

export interface Connected {
  client: PostgresClient;
  close(): Promise<unknown>;
}

export type ClientName = "pg Pool" | "pg Client" | "postgres.js" | "postgres.js 3";

export const CLIENTS: Record<ClientName, (url: string) => Promise<Connected>> = {
  async "pg Pool"(url) {
    const pool = new pg.Pool({ connectionString: url, max: 20 });
    // An idle connection cut by a server restart is reported here; unheard, it would crash the process.
    pool.on("error", () => undefined);
    return { client: pool, close: () => pool.end() };
  },
  async "pg Client"(url) {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    await client.connect();
    return { client, close: () => client.end() };
  },
  async "postgres.js"(url) {
    const sql = postgres(url, { max: 20, onnotice: () => undefined });
    return { client: sql, close: () => sql.end({ timeout: 5 }) };
  },
  async "postgres.js 3"(url) {
    const sql = postgres3(url, { max: 20, onnotice: () => undefined });
    return { client: sql, close: () => sql.end({ timeout: 5 }) };
  },
};

export const CLIENT_NAMES = Object.keys(CLIENTS) as ClientName[];

/** A pg Pool for looking at the table from outside the store. */
export function adminPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => undefined);
  return pool;
}

/** A fresh table name per test, so tests never see each other's rows. */
export function tableName(): string {
  return `dedupe_${Math.random().toString(36).slice(2, 10)}`;
}

/** A test file's throwaway PostgreSQL, and a pool on it that looks at the rows from outside. */
export interface TestDatabase {
  readonly server: PostgresServer;
  readonly admin: pg.Pool;
}

/** Starts a PostgreSQL for the calling test file (before its tests) and removes it after them. */
export function throwawayDatabase(): TestDatabase {
  const database = {} as { server: PostgresServer; admin: pg.Pool };
  beforeAll(async () => {
    database.server = await startPostgresServer();
    database.admin = adminPool(database.server.url);
  });
  afterAll(async () => {
    await database.admin?.end();
    await database.server?.remove();
  });
  return database;
}
