// One way to run a parameterised statement on either client: node-postgres (`pg`: Pool,
// Client, PoolClient) resolves `{ rows }`, postgres.js (`sql`) resolves the rows themselves.
import { WebhookVerificationError } from "@colivara/webhooks";

/**
 * The part of a node-postgres (`pg`) `Pool` or `Client` the store uses.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const client: PgClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The part of a postgres.js `sql` instance the store uses.
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * const client: PostgresJsClient = postgres(process.env.DATABASE_URL ?? "");
 * ```
 */
export interface PostgresJsClient {
  unsafe(query: string, parameters?: unknown[]): PromiseLike<unknown>;
}

/**
 * A client the store and {@link migrate} accept: node-postgres (`pg`) or postgres.js
 * (`postgres`). Neither is a dependency of this package; bring the one your app already uses.
 *
 * @example
 * ```ts
 * const client: PostgresClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export type PostgresClient = PgClient | PostgresJsClient;

/** Runs one statement (`$1`, `$2` … bound to `values`) and resolves its rows. */
export type RunSql = (text: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;

const CLIENT_HINT =
  "Pass a node-postgres Pool or Client (new pg.Pool({ connectionString })) or a postgres.js sql (postgres(url)), e.g. verifyColivara({ dedupe: postgresStore(pool) }).";

/** `invalid_config`, thrown when the store is created. */
export function invalid(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

/** What a wrong value is, for messages: "null", "a Pool", "string". */
export function kindOf(value: unknown): string {
  const name = typeof value === "object" && value !== null ? value.constructor?.name : undefined;
  return value === null ? "null" : name ? `a ${name}` : typeof value;
}

/** Runs each statement after the one before it has settled, whatever its outcome. */
function oneAtATime(run: RunSql): RunSql {
  let last: Promise<unknown> = Promise.resolve();
  return (text, values) => {
    const next = last.then(() => run(text, values));
    last = next.catch(() => undefined);
    return next;
  };
}

/** Finds how to run SQL on this client. Throws `invalid_config` for anything else. */
export function sqlRunner(client: unknown, caller: string): RunSql {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalid(`${caller}(client) needs a PostgreSQL client, got ${kindOf(client)}. ${CLIENT_HINT}`);
  }
  // postgres.js: `sql` is a function with `unsafe`; with no parameters it uses the simple
  // protocol, which is what a migration of several statements needs.
  const unsafe = (client as { unsafe?: unknown }).unsafe;
  if (typeof unsafe === "function") {
    return async (text, values) =>
      (await (values ? unsafe.call(client, text, values) : unsafe.call(client, text))) as Array<
        Record<string, unknown>
      >;
  }
  const query = (client as { query?: unknown }).query;
  if (typeof query === "function") {
    const run: RunSql = async (text, values) =>
      ((await query.call(client, text, values)) as { rows: Array<Record<string, unknown>> }).rows;
    // A Pool lends a connection per statement; a single Client has one, and pg 8 only queues
    // a statement sent while another runs (deprecated: pg 9 refuses it), so they go one by one.
    return "idleCount" in client ? run : oneAtATime(run);
  }
  throw invalid(`${caller}(client) got ${kindOf(client)} with no query or unsafe method. ${CLIENT_HINT}`);
}
