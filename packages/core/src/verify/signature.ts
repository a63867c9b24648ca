import { decodeBase64Strict } from "./base64.js";

/** Svix sends one entry per active secret; a handful covers any rotation. */
export const MAX_SIGNATURE_ENTRIES = 16;
/** Far above 16 entries of 47 characters; anything longer is hostile and not parsed. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4096;
const ENTRY_LENGTH = 47; // "v1," + 44 characters of padded base64 for 32 bytes

/** The decoded MAC of one `v1,<base64 of 32 bytes>` entry, or undefined. */
function decodeEntry(entry: string): Uint8Array | undefined {
  if (entry.length !== ENTRY_LENGTH || !entry.startsWith("v1,")) return undefined;
  const mac = decodeBase64Strict(entry.slice(3));
  return mac !== undefined && mac.length === 32 ? mac : undefined;
}

/**
 * Extracts the decoded 32-byte MACs of the well-formed `v1,<base64>` entries. Everything
 * else (other versions, extra fields, bad base64, wrong length) is skipped, as the spec
 * asks, so that future signature schemes can be sent side by side.
 */
export function parseSignatures(header: string): Uint8Array[] {
  // Fast path: one entry, the usual delivery outside a secret rotation.
  // Stryker disable next-line ConditionalExpression,BlockStatement: the loop below gives the same answer for a 47-character header; this only skips the split
  if (header.length === ENTRY_LENGTH) {
    const mac = decodeEntry(header);
    return mac === undefined ? [] : [mac];
  }
  const macs: Uint8Array[] = [];
  if (header.length > MAX_SIGNATURE_HEADER_LENGTH) return macs;
  for (const raw of header.split(" ")) {
    // Node and Fetch join repeated headers with ", ": that comma is a separator.
    const mac = decodeEntry(raw.endsWith(",") ? raw.slice(0, -1) : raw);
    if (mac === undefined) continue;
    macs.push(mac);
    if (macs.length === MAX_SIGNATURE_ENTRIES) break;
  }
  return macs;
}
