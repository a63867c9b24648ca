/**
 * Exactly-once ColiVara webhook handling across app instances: a PostgreSQL dedupe store
 * for every adapter's `dedupe` option, with its migration.
 *
 * @packageDocumentation
 */
export type { DedupeClaim, DedupeStore } from "@colivara/webhooks";
export { MIGRATION_SQL, type MigrateOptions, migrate, migrationSql } from "./migrate.js";
export { type PostgresStoreOptions, postgresStore } from "./postgres-store.js";
export type { PgClient, PostgresClient, PostgresJsClient } from "./sql-client.js";
export { DEFAULT_TABLE } from "./table-name.js";
