import { decodeBase64Mac } from "./base64.js";

/** Svix sends one entry per active secret; a handful covers any rotation. */
export const MAX_SIGNATURE_ENTRIES = 16;
/** Far above 16 entries of 47 characters; anything longer is hostile and not parsed. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4096;
const ENTRY_LENGTH = 47; // "v1," + 44 characters of padded base64 for 32 bytes

/**
 * The decoded MAC of the entry `header[start, end)` when it is `v1,<base64 of 32 bytes>`, or
 * undefined. Read in place: no entry is copied out of the header.
 */
function decodeEntry(header: string, start: number, end: number): Uint8Array | undefined {
  if (
    end - start !== ENTRY_LENGTH ||
    header.charCodeAt(start) !== 118 /* v */ ||
    header.charCodeAt(start + 1) !== 49 /* 1 */ ||
    header.charCodeAt(start + 2) !== 44 /* , */
  ) {
    return undefined;
  }
  return decodeBase64Mac(header, start + 3);
}

/**
 * Extracts the decoded 32-byte MACs of the well-formed `v1,<base64>` entries. Everything
 * else (other versions, extra fields, bad base64, wrong length) is skipped, as the spec
 * asks, so that future signature schemes can be sent side by side.
 */
export function parseSignatures(header: string): Uint8Array[] {
  // Fast path: one entry, the usual delivery outside a secret rotation.
  // Stryker disable next-line ConditionalExpression,BlockStatement: the loop below gives the same answer for a 47-character header; this only skips the scan
  if (header.length === ENTRY_LENGTH) {
    const mac = decodeEntry(header, 0, ENTRY_LENGTH);
    return mac === undefined ? [] : [mac];
  }
  const macs: Uint8Array[] = [];
  if (header.length > MAX_SIGNATURE_HEADER_LENGTH) return macs;
  // Entries are separated by single spaces (empty ones skipped), scanned in place rather
  // than split into strings.
  for (let start = 0; start <= header.length; ) {
    const space = header.indexOf(" ", start);
    const next = space < 0 ? header.length : space;
    // Node and Fetch join repeated headers with ", ": that comma is a separator. (Before an
    // empty entry is the previous space, or nothing: never a comma.)
    const end = header.charCodeAt(next - 1) === 44 /* , */ ? next - 1 : next;
    const mac = decodeEntry(header, start, end);
    start = next + 1;
    if (mac === undefined) continue;
    macs.push(mac);
    if (macs.length === MAX_SIGNATURE_ENTRIES) break;
  }
  return macs;
}
