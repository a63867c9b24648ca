// One transaction on one connection, for either client: a node-postgres Pool lends a
// connection for it, postgres.js runs it through `sql.begin`. A single pg Client is refused:
// it is shared by every caller, whose statements would land inside another's transaction.
import { invalid, kindOf, type RunSql } from "./sql-client.js";

/** Runs `work` inside BEGIN … COMMIT (ROLLBACK if it throws) and resolves what it returned. */
export type InTransaction = <T>(work: (run: RunSql) => Promise<T>) => Promise<T>;

interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
}

interface PgPoolClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(destroy?: boolean | Error): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

interface PostgresJsLike {
  begin<T>(work: (tx: { unsafe(text: string, values?: unknown[]): PromiseLike<unknown> }) => Promise<T>): Promise<T>;
}

const TRANSACTION_HINT =
  "Pass a node-postgres Pool (new pg.Pool({ connectionString })) or a postgres.js sql (postgres(url)): a transaction needs a connection of its own, and a single pg Client is shared by every request.";

function isPool(client: object): client is PgPoolLike {
  // pg.Pool has these counters; a Client or a PoolClient has not.
  return typeof (client as Partial<PgPoolLike>).connect === "function" && "idleCount" in client;
}

async function inPoolTransaction<T>(pool: PgPoolLike, work: (run: RunSql) => Promise<T>): Promise<T> {
  const connection = await pool.connect();
  const run: RunSql = async (text, values) => (await connection.query(text, values)).rows;
  let broken: unknown;
  // A lent connection has no listener of its own: a server that goes away between two
  // statements would emit an unheard "error" and end the process. Heard, it is destroyed.
  const onError = (error: Error) => {
    broken = error;
  };
  connection.on("error", onError);
  try {
    await run("BEGIN");
    const result = await work(run);
    await run("COMMIT");
    return result;
  } catch (error) {
    // A connection whose ROLLBACK failed is in an unknown state: destroyed, not pooled again.
    await run("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    connection.off("error", onError);
    connection.release(broken instanceof Error ? broken : broken !== undefined);
  }
}

/** How to run a transaction on `client`. Throws `invalid_config` for a client that cannot. */
export function transactionRunner(client: unknown, caller: string): InTransaction {
  if ((typeof client !== "object" && typeof client !== "function") || client === null) {
    throw invalid(`${caller} needs a PostgreSQL client, got ${kindOf(client)}. ${TRANSACTION_HINT}`);
  }
  const sql = client as Partial<PostgresJsLike> & object;
  if (typeof sql.begin === "function") {
    const begin = sql.begin.bind(sql) as PostgresJsLike["begin"];
    return (work) =>
      begin((tx) =>
        work(async (text, values) => (await tx.unsafe(text, values ?? [])) as Array<Record<string, unknown>>),
      );
  }
  if (isPool(sql)) return (work) => inPoolTransaction(sql, work);
  throw invalid(`${caller} got ${kindOf(client)}, which cannot hold a transaction. ${TRANSACTION_HINT}`);
}
