// Hand-written because Node's decoder silently skips characters outside the alphabet, and
// Web runtimes have no byte-oriented base64 API: a secret like "whsec_abc$%" must fail
// loudly, not turn into a different key.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

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
    const code = input.charCodeAt(i);
    const value = code < 128 ? (DECODE[code] as number) : -1;
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
