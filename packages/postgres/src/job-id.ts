// node:crypto through getBuiltinModule (Node >= 20.16, this package's floor), not a static
// import: postgresStore alone stays importable where there is no node:crypto (postgres.js on
// Workers); pg-boss, and so every caller of this, runs on Node.
type NodeCrypto = typeof import("node:crypto");

// Fixed for ever: changing it would give every delivery a new job id, so a copy arriving
// across an upgrade would no longer meet its first job.
const NAMESPACE = "colivara-webhooks/pg-boss-job-id\u0000";

/**
 * The pg-boss job id of a delivery. pg-boss ids are UUIDs and Svix ids (`msg_…`) are not,
 * so the id is mapped deterministically: a UUID version 8 (RFC 9562, "custom") made of the
 * first 128 bits of SHA-256 over a fixed namespace and the id, with the version and variant
 * bits set. Version 5 would do the same with SHA-1; version 8 lets the digest be SHA-256.
 * The same id always gives the same UUID, on every instance.
 *
 * @example
 * ```ts
 * const job = await boss.getJobById("colivara-webhooks", pgBossJobId("msg_2b…"));
 * ```
 */
export function pgBossJobId(id: string): string {
  const { createHash } = process.getBuiltinModule("node:crypto") as NodeCrypto;
  const bytes = createHash("sha256").update(NAMESPACE).update(id, "utf8").digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // variant 10xx (RFC 9562)
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
