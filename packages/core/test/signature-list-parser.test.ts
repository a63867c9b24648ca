// The in-place signature list parser against the reference it replaced (split on spaces, one
// trailing comma off, slice the entry, strict base64): on every malformed header below both
// must keep exactly the same MACs, so the faster scan refuses all the old one refused.
import { describe, expect, it } from "vitest";
import { decodeBase64Mac, decodeBase64Strict } from "../src/verify/base64.js";
import { MAX_SIGNATURE_ENTRIES, parseSignatures } from "../src/verify/signature.js";

function referenceEntry(entry: string): Uint8Array | undefined {
  if (entry.length !== 47 || !entry.startsWith("v1,")) return undefined;
  const mac = decodeBase64Strict(entry.slice(3));
  return mac !== undefined && mac.length === 32 ? mac : undefined;
}

function reference(header: string): string[] {
  const macs: string[] = [];
  if (header.length > 4096) return macs;
  for (const raw of header.split(" ")) {
    const mac = referenceEntry(raw.endsWith(",") ? raw.slice(0, -1) : raw);
    if (mac === undefined) continue;
    macs.push(Buffer.from(mac).toString("hex"));
    if (macs.length === MAX_SIGNATURE_ENTRIES) break;
  }
  return macs;
}

const hex = (macs: Uint8Array[]): string[] => macs.map((mac) => Buffer.from(mac).toString("hex"));

const MAC = Buffer.from("3f1c9a0e7b5d2f8a6c4e1b9d0f3a7c5e2b8d4f6a1c3e5b7d9f0a2c4e6b8d0f1a", "hex");
const B64 = MAC.toString("base64");
const ENTRY = `v1,${B64}`;
// Characters that sit at the edges of the alphabet, of ASCII and of the separators.
const SWAPS = [
  "A",
  "/",
  "+",
  "=",
  "-",
  "_",
  ",",
  " ",
  "\t",
  "*",
  "@",
  "[",
  "`",
  "{",
  "\u007f",
  "\u0080",
  "\u00e9",
  "\u2028",
];

/** ENTRY with each position replaced by each swap, cut short, grown, and with bytes of other lengths. */
function malformedEntries(): string[] {
  const entries: string[] = [];
  for (let i = 0; i < ENTRY.length; i++) {
    for (const swap of SWAPS) entries.push(`${ENTRY.slice(0, i)}${swap}${ENTRY.slice(i + 1)}`);
    entries.push(ENTRY.slice(0, i) + ENTRY.slice(i + 1));
    entries.push(`${ENTRY.slice(0, i)}A${ENTRY.slice(i)}`);
  }
  // Every value of the last digit: only those with the 2 unused bits zero are canonical.
  for (const last of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
    entries.push(`${ENTRY.slice(0, 45)}${last}=`);
  }
  for (const length of [0, 1, 30, 31, 33, 34, 48, 64]) {
    entries.push(`v1,${Buffer.alloc(length, 0x5a).toString("base64")}`);
  }
  entries.push(`v1,${B64.replace(/=$/, "")}`, `v1,${B64}=`, `v1,${B64.slice(0, -1)}A`, "v1,", "v1", ",", "");
  return entries;
}

describe("parseSignatures (in-place scan)", () => {
  it("keeps what the split-and-slice reference keeps, for each malformed entry alone and in lists", () => {
    const entries = malformedEntries();
    let checked = 0;
    for (const entry of entries) {
      const headers = [
        entry,
        `${entry},`,
        `${entry} ${ENTRY}`,
        `${ENTRY} ${entry}`,
        `${entry}, ${ENTRY}`,
        ` ${entry}  ${ENTRY},`,
        `${ENTRY},${entry}`,
      ];
      for (const header of headers) {
        expect(hex(parseSignatures(header)), JSON.stringify(header)).toEqual(reference(header));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it("refuses every one-character change of a 47-character entry that the reference refuses", () => {
    const refused = malformedEntries().filter((entry) => entry.length === 47 && reference(entry).length === 0);
    expect(refused.length).toBeGreaterThan(700);
    for (const entry of refused) expect(parseSignatures(entry), JSON.stringify(entry)).toEqual([]);
  });

  it("keeps the genuine entry wherever it sits, with joined-header commas and empty entries", () => {
    for (const header of [
      ENTRY,
      `${ENTRY},`,
      ` ${ENTRY}`,
      `${ENTRY} `,
      `x, ${ENTRY}`,
      `${ENTRY}, v2,abc`,
      `  ,  ${ENTRY}`,
    ]) {
      expect(hex(parseSignatures(header)), JSON.stringify(header)).toEqual([MAC.toString("hex")]);
    }
    expect(parseSignatures(`${ENTRY},,`)).toEqual([]);
  });

  it("stops at the entry cap and ignores headers over the length cap, as the reference does", () => {
    const many = Array.from({ length: 20 }, () => ENTRY).join(" ");
    expect(parseSignatures(many)).toHaveLength(MAX_SIGNATURE_ENTRIES);
    const long = `${ENTRY}${" ".repeat(4096 - ENTRY.length)}`;
    expect(hex(parseSignatures(long))).toEqual(reference(long));
    expect(parseSignatures(`${long} `)).toEqual([]);
  });
});

describe("decodeBase64Mac", () => {
  it("keeps every MAC it returned intact while later ones are decoded, past any block size", () => {
    const macs = Array.from({ length: 600 }, (_, i) => Buffer.alloc(32, i % 251).fill(i >> 8, 0, 1));
    const decoded = macs.map((mac) => decodeBase64Mac(mac.toString("base64"), 0));
    for (const [i, bytes] of decoded.entries()) {
      expect(Buffer.from(bytes as Uint8Array).equals(macs[i] as Buffer), `MAC ${i}`).toBe(true);
    }
    // Refused entries leave the MACs handed out before them alone too.
    expect(decodeBase64Mac(`${"*".repeat(43)}=`, 0)).toBeUndefined();
    expect(Buffer.from(decoded[599] as Uint8Array).equals(macs[599] as Buffer)).toBe(true);
  });

  it("equals the strict decoder on 44 characters where that gives 32 bytes, and refuses the rest", () => {
    for (const entry of malformedEntries()) {
      const text = entry.slice(3);
      const strict = text.length === 44 ? decodeBase64Strict(text) : undefined;
      const expected = strict?.length === 32 ? strict : undefined;
      if (text.length === 44) expect(decodeBase64Mac(`xyz${text}`, 3), JSON.stringify(text)).toEqual(expected);
    }
  });
});
