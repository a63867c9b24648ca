import { invalid, kindOf } from "./sql-client.js";

/** The table the store uses unless told otherwise. */
export const DEFAULT_TABLE: string = "colivara_webhook_dedupe";

/** The index on `expires_at` is named `<table>_expires_at`; Postgres cuts names at 63 bytes. */
const INDEX_SUFFIX = "_expires_at";
const MAX_TABLE_BYTES = 63 - INDEX_SUFFIX.length;

/** A table name checked and quoted, with its index's name. */
export interface QuotedTable {
  /** `"name"`: every `"` doubled, so any name is one identifier and never SQL. */
  table: string;
  index: string;
}

/** `"name"` with every `"` doubled: the identifier quoting Postgres defines. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Checks a `table` option and quotes it. The name is one identifier, resolved through the
 * connection's `search_path` (to use a schema, set it on the connection). Throws
 * `invalid_config` for a name Postgres would refuse or silently cut.
 */
export function tableOption(value: unknown): QuotedTable {
  const name = value ?? DEFAULT_TABLE;
  if (typeof name !== "string") throw invalid(`table must be a string, got ${kindOf(name)}.`);
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0 || bytes > MAX_TABLE_BYTES || name.includes("\u0000")) {
    throw invalid(
      `table must be a name of 1 to ${MAX_TABLE_BYTES} bytes without NUL characters (Postgres cuts identifiers at 63 bytes, and the index adds "${INDEX_SUFFIX}"), got ${JSON.stringify(name.slice(0, 80))}.`,
    );
  }
  return { table: quoteIdentifier(name), index: quoteIdentifier(name + INDEX_SUFFIX) };
}
