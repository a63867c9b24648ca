import { type PostgresClient, sqlRunner } from "./sql-client.js";
import { migrationStatements } from "./statements.js";
import { DEFAULT_TABLE, tableOption } from "./table-name.js";

/**
 * Options of {@link migrate} and {@link migrationSql}.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { table: "webhook_dedupe" };
 * ```
 */
export interface MigrateOptions {
  /** The table's name, one identifier (quoted, so any name is safe). Default `"colivara_webhook_dedupe"`. */
  table?: string | undefined;
}

/**
 * The SQL that creates the store's table and its index, for teams that run migrations
 * themselves. Idempotent (`IF NOT EXISTS`). Throws `invalid_config` for a bad table name.
 *
 * @example
 * ```ts
 * writeFileSync("migrations/0042_colivara_webhooks.sql", migrationSql({ table: "webhook_dedupe" }));
 * ```
 */
export function migrationSql(options: MigrateOptions = {}): string {
  return `${migrationStatements(tableOption(options.table))}\n`;
}

/**
 * The migration for the default table, `colivara_webhook_dedupe`, as one string.
 *
 * @example
 * ```ts
 * await pool.query(MIGRATION_SQL);
 * ```
 */
export const MIGRATION_SQL: string = migrationSql({ table: DEFAULT_TABLE });

// Any constant works: it only keeps two migrations of this table from running at once.
const MIGRATION_LOCK = 0x636f6c69; // "coli"

/** A dollar-quote tag that the body does not contain, so it cannot end the body early. */
function dollarTag(body: string): string {
  let tag = "$colivara$";
  for (let n = 0; body.includes(tag); n++) tag = `$colivara${n}$`;
  return tag;
}

/**
 * Creates the store's table and index if they are missing: {@link migrationSql} in one
 * transaction, under an advisory lock, so instances starting together do not race each
 * other's `CREATE TABLE`. Safe to run at every start. Takes the same clients as
 * `postgresStore`; the role needs `CREATE` on the schema.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migrate, postgresStore } from "@colivara/webhooks-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const dedupe = postgresStore(pool);
 * ```
 */
export async function migrate(client: PostgresClient, options: MigrateOptions = {}): Promise<void> {
  const run = sqlRunner(client, "migrate");
  const body = `BEGIN
PERFORM pg_advisory_xact_lock(${MIGRATION_LOCK});
${migrationStatements(tableOption(options.table))}
END`;
  const tag = dollarTag(body);
  // A DO block is one statement, one transaction: the lock is held until the table exists.
  await run(`DO ${tag}\n${body}\n${tag}`);
}
