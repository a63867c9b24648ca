// Hand-written because Node's decoder silently skips characters outside the alphabet, and
// Web runtimes have no byte-oriented base64 API: a secret like "whsec_abc$%" must fail
// loudly, not turn into a different key.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

// The value of one base64 digit, or -1 for anything outside the alphabet.
const digit = (code: number): number => (code < 128 ? (DECODE[code] as number) : -1);

// Decoded MACs are 32-byte views into a shared block, never written again once decoded:
// node:crypto's timingSafeEqual needs an ArrayBuffer behind a view, and V8 keeps a small
// typed array on its own heap without one, so each 32-byte array would have a buffer
// allocated (and copied into) on its first comparison. A block is never reused: the views
// handed out keep it alive, a full one is replaced.
const MAC_BLOCK_BYTES = 4096;
let macBlock = new ArrayBuffer(MAC_BLOCK_BYTES);
let macBlockUsed = 0;

function macBytes(): Uint8Array {
  if (macBlockUsed === MAC_BLOCK_BYTES) {
    macBlock = new ArrayBuffer(MAC_BLOCK_BYTES);
    macBlockUsed = 0;
  }
  const view = new Uint8Array(macBlock, macBlockUsed, 32);
  macBlockUsed += 32;
  return view;
}

/**
 * Decodes the 44 characters of canonical padded base64 for 32 bytes (an HMAC-SHA256) at
 * `start` of `text`, without copying them out: exactly what {@link decodeBase64Strict} makes
 * 32 bytes of (43 digits, one "=", the 2 unused bits zero), and `undefined` for all else. One
 * signature entry per delivery goes through here, so it takes 4 digits a step, not 1.
 */
export function decodeBase64Mac(text: string, start: number): Uint8Array | undefined {
  if (text.charCodeAt(start + 43) !== 61 /* = */) return undefined;
  const out = macBytes();
  let i = start;
  for (let o = 0; o < 30; o += 3, i += 4) {
    const a = digit(text.charCodeAt(i));
    const b = digit(text.charCodeAt(i + 1));
    const c = digit(text.charCodeAt(i + 2));
    const d = digit(text.charCodeAt(i + 3));
    // Any -1 sets the sign bit of the OR.
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 0xff;
    out[o + 2] = n & 0xff;
  }
  const a = digit(text.charCodeAt(i));
  const b = digit(text.charCodeAt(i + 1));
  const c = digit(text.charCodeAt(i + 2));
  // 18 bits for 2 bytes: the last 2 must be zero, or other text decodes to the same MAC.
  if ((a | b | c) < 0 || (c & 3) !== 0) return undefined;
  const n = (a << 12) | (b << 6) | c;
  out[30] = n >> 10;
  out[31] = (n >> 2) & 0xff;
  return out;
}

/**
 * Decodes canonical standard base64 (padding optional, unused bits zero). Returns
 * `undefined` for anything else instead of guessing.
 */
export function decodeBase64Strict(input: string): Uint8Array | undefined {
  let end = input.length;
  if (
    end % 4 === 0 &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: for "" charCodeAt(-1) is NaN, never "=": the guard only reads clearer
    end > 0
  ) {
    if (input.charCodeAt(end - 1) === 61 /* = */) end--;
    if (input.charCodeAt(end - 1) === 61) end--;
  }
  const rem = end % 4;
  if (rem === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const value = digit(input.charCodeAt(i));
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  // Non-zero leftover bits mean a non-canonical encoding of other bytes.
  if (
    (buffer & ((1 << bits) - 1)) !== 0 &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with 0 bits left the mask (1 << 0) - 1 is 0, so the test above is already false
    bits > 0
  ) {
    return undefined;
  }
  return out;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}${ALPHABET[n & 63]}`;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (left === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  return out;
}
