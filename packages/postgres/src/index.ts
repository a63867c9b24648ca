/**
 * Exactly-once ColiVara webhook handling across app instances: a PostgreSQL dedupe store
 * for every adapter's `dedupe` option, with its migration, and a pg-boss hand-off that
 * marks a delivery and stores its job in one transaction, with its worker.
 *
 * @packageDocumentation
 */
export type { DedupeClaim, DedupeStore } from "@colivara/webhooks";
export type { ColivaraJobData, DeadLetterDetails, DeadLetterSummary } from "@colivara/webhooks/worker";
export { pgBossJobId } from "./job-id.js";
export { MIGRATION_SQL, type MigrateOptions, migrate, migrationSql } from "./migrate.js";
export {
  listPgBossDeadLetters,
  type PgBossDeadLetterOptions,
  replayPgBossDeadLetter,
  showPgBossDeadLetter,
} from "./pg-boss-dead-letters.js";
export {
  DEFAULT_PG_BOSS_QUEUE,
  type PgBossHandOff,
  type PgBossHandOffOptions,
  pgBossHandOff,
} from "./pg-boss-hand-off.js";
export { createPgBossWorker, type PgBossWorker, type PgBossWorkerOptions } from "./pg-boss-worker.js";
export { type PostgresStoreOptions, postgresStore } from "./postgres-store.js";
export type { PgClient, PostgresClient, PostgresJsClient } from "./sql-client.js";
export { DEFAULT_TABLE } from "./table-name.js";
