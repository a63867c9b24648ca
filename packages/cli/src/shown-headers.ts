const SIGNATURE_HEADERS = new Set(["svix-signature", "webhook-signature"]);
const HIDDEN_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-vercel-protection-bypass"]);

/**
 * A signature header cut to what identifies it: each `v1,<base64>` entry keeps its version
 * and the first 8 characters of the MAC, so a full signature never reaches a screen or log.
 *
 * @example
 * ```ts
 * shortenSignature("v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="); // "v1,K5oZfzN9…"
 * ```
 */
export function shortenSignature(value: string): string {
  return value
    .split(" ")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const comma = entry.indexOf(",");
      const mac = comma === -1 ? entry : entry.slice(comma + 1);
      const head = comma === -1 ? "" : entry.slice(0, comma + 1);
      return mac.length > 8 ? `${head}${mac.slice(0, 8)}…` : entry;
    })
    .join(" ");
}

/**
 * Whether a header carries a credential (authorization, cookies, bypass tokens): never shown,
 * never written to a saved delivery.
 *
 * @example
 * ```ts
 * isCredential("Cookie"); // true
 * ```
 */
export function isCredential(name: string): boolean {
  return HIDDEN_HEADERS.has(name.toLowerCase());
}

/**
 * Headers as the inspector and `--json` show them: in the order received, credentials
 * (authorization, cookies, bypass tokens) hidden, and signatures shortened unless
 * `signatures` is `"full"` (`listen --json`, whose lines `verify` reads back).
 *
 * @example
 * ```ts
 * const shown = showHeaders([["svix-id", "msg_1"], ["authorization", "Bearer abc"]]);
 * // [["svix-id", "msg_1"], ["authorization", "(hidden, 10 characters)"]]
 * ```
 */
export function showHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  signatures: "short" | "full" = "short",
): Array<[string, string]> {
  return headers.map(([name, value]) => {
    const lower = name.toLowerCase();
    if (SIGNATURE_HEADERS.has(lower) && signatures === "short") return [name, shortenSignature(value)];
    if (isCredential(lower)) return [name, `(hidden, ${value.length} characters)`];
    return [name, value];
  });
}
