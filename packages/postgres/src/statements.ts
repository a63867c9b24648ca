// The store's SQL. A row holds one delivery's dedupe key: `token` set while a claim is in
// flight (until `expires_at`, the lease), `token` null once it is handled (until `expires_at`,
// the TTL). A row whose `expires_at` has passed counts as absent. Times come from the
// database's clock (`now()`), so the instances' clocks never have to agree.
// $1 = key, $2 = the claim's token, $3 = a lease or TTL in milliseconds.
import type { QuotedTable } from "./table-name.js";

/** How many expired rows one sweep deletes at most. */
export const SWEEP_LIMIT = 10;

/** The statements of one table. */
export interface Statements {
  claim: string;
  complete: string;
  release: string;
  extend: string;
  sweep: string;
  /** The hand-off's mark: written (a row returned) only where no live row is. */
  handOff: string;
  /** 1 when a live row of the key is an inline claim in flight, not a handled mark. */
  inFlight: string;
}

const LATER = "now() + $3::double precision * interval '1 millisecond'";

/** The store's statements for `table` (already quoted). */
export function statements({ table }: QuotedTable): Statements {
  return {
    // Absent or expired: the row becomes our lease (0). Otherwise it is left as it is and
    // reported: another attempt's lease (1) or a handled mark (2). The conflicting row is
    // locked by the upsert, so of concurrent claims exactly one writes its token.
    claim: `INSERT INTO ${table} AS d (key, token, expires_at) VALUES ($1, $2::text, ${LATER})
ON CONFLICT (key) DO UPDATE SET
  token = CASE WHEN d.expires_at <= now() THEN excluded.token ELSE d.token END,
  expires_at = CASE WHEN d.expires_at <= now() THEN excluded.expires_at ELSE d.expires_at END
RETURNING CASE WHEN d.token = $2::text THEN 0 WHEN d.token IS NULL THEN 2 ELSE 1 END AS status`,
    // Marks the key handled while it holds our lease, or nothing (our lease ran out and no
    // other attempt took it): never over another attempt's lease.
    complete: `INSERT INTO ${table} AS d (key, token, expires_at) VALUES ($1, NULL, ${LATER})
ON CONFLICT (key) DO UPDATE SET token = NULL, expires_at = excluded.expires_at
WHERE d.token = $2::text OR d.expires_at <= now()`,
    // Only our own lease: a late release never frees another attempt's claim nor a handled mark.
    release: `DELETE FROM ${table} WHERE key = $1 AND token = $2::text`,
    extend: `UPDATE ${table} SET expires_at = ${LATER} WHERE key = $1 AND token = $2::text AND expires_at > now()`,
    // Its own statement, never part of a claim: it waits for no lock (SKIP LOCKED), so it
    // cannot deadlock with a claim waiting for the row it would delete.
    sweep: `DELETE FROM ${table} WHERE key IN (
  SELECT key FROM ${table} WHERE expires_at <= now() ORDER BY expires_at LIMIT ${SWEEP_LIMIT} FOR UPDATE SKIP LOCKED
) RETURNING 1`,
    // A delivery handed to a queue is handled, as far as the receiver is concerned: the
    // mark is the handled mark (token null, kept for the TTL). A live row is left alone and
    // nothing is returned; the conflicting row stays locked until the transaction ends.
    handOff: `INSERT INTO ${table} AS d (key, token, expires_at) VALUES ($1, NULL, ${LATER.replace("$3", "$2")})
ON CONFLICT (key) DO UPDATE SET token = NULL, expires_at = excluded.expires_at
WHERE d.expires_at <= now()
RETURNING 1`,
    inFlight: `SELECT 1 FROM ${table} WHERE key = $1 AND token IS NOT NULL AND expires_at > now()`,
  };
}

/** The migration's statements for `table` and its index (already quoted). */
export function migrationStatements({ table, index }: QuotedTable): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" PRIMARY KEY CHECK (octet_length(key) <= 256),
  token text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index} ON ${table} (expires_at);`;
}
