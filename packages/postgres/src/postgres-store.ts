import type { DedupeClaim, DedupeStore } from "@colivara/webhooks";
import { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_LEASE_SECONDS, numberOption } from "@colivara/webhooks/adapter";
import { checkKey } from "./dedupe-key-check.js";
import { invalid, kindOf, type PostgresClient, sqlRunner } from "./sql-client.js";
import { SWEEP_LIMIT, statements } from "./statements.js";
import { tableOption } from "./table-name.js";

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { table: "webhook_dedupe", leaseSeconds: 120 };
 * ```
 */
export interface PostgresStoreOptions {
  /**
   * The table {@link migrate} created, one identifier (quoted, so any name is safe),
   * resolved through the connection's `search_path`. Default `"colivara_webhook_dedupe"`.
   */
  table?: string | undefined;
  /** How long handled ids are remembered. Default 28 hours (Svix's retry horizon). */
  ttlSeconds?: number | undefined;
  /**
   * How long a claim lives if its process dies mid-handler; after it, a redelivery is
   * processed. Keep it above your handler's longest run. Default 60.
   */
  leaseSeconds?: number | undefined;
}

function milliseconds(name: string, value: unknown, fallback: number): number {
  const ms = Math.ceil(numberOption(name, value, { fallback, unit: "seconds" }) * 1000);
  if (!Number.isSafeInteger(ms)) throw invalid(`${name} is too large, got ${String(value)}.`);
  return ms;
}

/** Pause between sweeps that found less than a full batch: nothing is piling up. */
const SWEEP_PAUSE_MS = 1000;

/**
 * Calls `deleteExpired` after claims that wrote a row, one at a time and not awaited
 * (housekeeping never delays a delivery). A sweep that deleted a full batch is followed by
 * another at the next claim, so the sweeping keeps up with any delivery rate; one that found
 * less waits {@link SWEEP_PAUSE_MS}, so a quiet table costs about one statement a second.
 */
function sweeper(deleteExpired: () => Promise<unknown[]>): () => void {
  let busy = false;
  let nextAt = 0;
  return () => {
    if (busy || Date.now() < nextAt) return;
    busy = true;
    deleteExpired()
      .then((rows) => {
        nextAt = rows.length < SWEEP_LIMIT ? Date.now() + SWEEP_PAUSE_MS : 0;
      })
      .catch(() => {
        nextAt = Date.now() + SWEEP_PAUSE_MS;
      })
      .finally(() => {
        busy = false;
      });
  };
}

function claimStatus(rows: Array<Record<string, unknown>>): DedupeClaim["status"] {
  const status = Number(rows[0]?.status);
  if (status === 0) return "claimed";
  if (status === 1) return "in_flight";
  if (status === 2) return "done";
  throw new Error(`Unexpected reply from the PostgreSQL claim statement: ${JSON.stringify(rows[0])}`);
}

/**
 * A {@link DedupeStore} in PostgreSQL, for apps running several instances: a delivery id is
 * handled once whichever instance receives it. Each operation is one atomic statement on
 * one row of `table` (create it first with {@link migrate} or {@link migrationSql}). Rows
 * whose lease or TTL ran out are deleted by later claims, ten at a time (again at the next
 * claim while there are more, else after a second's pause), so the table stays about as
 * large as the ids it must remember. Takes a node-postgres (`pg`)
 * `Pool` or `Client`, or a postgres.js `sql`, which the app creates and closes. Keys are
 * the adapters' `dedupeKey(id)`, at most 256 bytes; a longer key is refused
 * (`dedupe_unavailable`). Bad options throw `invalid_config` here.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { verifyColivara } from "@colivara/webhooks-express";
 * import { migrate, postgresStore } from "@colivara/webhooks-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const dedupe = postgresStore(pool);
 * app.post("/webhooks/colivara", verifyColivara({ dedupe }), (req, res) => res.sendStatus(204));
 * ```
 */
export function postgresStore(client: PostgresClient, options: PostgresStoreOptions = {}): DedupeStore {
  const run = sqlRunner(client, "postgresStore");
  if (options === null || typeof options !== "object") {
    throw invalid(
      `postgresStore options must be an object like { table, ttlSeconds, leaseSeconds }, got ${kindOf(options)}.`,
    );
  }
  const sql = statements(tableOption(options.table));
  const ttlMs = milliseconds("ttlSeconds", options.ttlSeconds, DEFAULT_DEDUPE_TTL_SECONDS);
  const leaseMs = milliseconds("leaseSeconds", options.leaseSeconds, DEFAULT_LEASE_SECONDS);

  const sweep = sweeper(() => run(sql.sweep));
  return {
    async claim(id: string): Promise<DedupeClaim> {
      const token = globalThis.crypto.randomUUID();
      const status = claimStatus(await run(sql.claim, [checkKey(id), token, leaseMs]));
      if (status !== "claimed") return { status };
      sweep();
      return { status, token };
    },
    async complete(id: string, token: string): Promise<void> {
      await run(sql.complete, [checkKey(id), token, ttlMs]);
    },
    async release(id: string, token: string): Promise<void> {
      await run(sql.release, [checkKey(id), token]);
    },
    async extend(id: string, token: string): Promise<void> {
      await run(sql.extend, [checkKey(id), token, leaseMs]);
    },
  };
}
