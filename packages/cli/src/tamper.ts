interface StringToken {
  /** Index of the opening quote. */
  start: number;
  /** Index just past the closing quote. */
  end: number;
  isKey: boolean;
  /** For a value: the key it belongs to (the last key seen before it). */
  key: string | undefined;
}

function scanStrings(text: string): StringToken[] {
  const tokens: StringToken[] = [];
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    const end = i + 1;
    let next = end;
    while (next < text.length && /\s/.test(text[next] as string)) next++;
    const isKey = text[next] === ":";
    const raw = text.slice(start + 1, end - 1);
    tokens.push({ start, end, isKey, key: isKey ? undefined : lastKey });
    if (isKey) lastKey = raw;
  }
  return tokens;
}

/** Index of the first ASCII letter of a string token's content that is not part of an escape. */
function letterIn(text: string, token: StringToken): number | undefined {
  for (let i = token.start + 1; i < token.end - 1; i++) {
    const char = text[i] as string;
    if (char === "\\") {
      i += text[i + 1] === "u" ? 5 : 1;
      continue;
    }
    if (/[A-Za-z]/.test(char)) return i;
  }
  return undefined;
}

/**
 * What {@link tamperBody} changed.
 *
 * @example
 * ```ts
 * const { body, detail }: TamperedBody = tamperBody(signed.body);
 * ```
 */
export interface TamperedBody {
  body: string;
  /** Human description, e.g. `name "report.pdf" → "Report.pdf"`. */
  detail: string;
}

/**
 * Changes one byte of a signed JSON body, keeping it valid JSON, the way an attacker who
 * intercepted a delivery would edit it: the case of one letter in the `name` value (or in
 * the last string value), so an endpoint must check the signature to notice.
 *
 * @example
 * ```ts
 * tamperBody('{"name":"report.pdf"}').body; // '{"name":"Report.pdf"}'
 * ```
 */
export function tamperBody(body: string): TamperedBody {
  const values = scanStrings(body).filter((token) => !token.isKey);
  const candidates = [...values.filter((token) => token.key === "name"), ...[...values].reverse()];
  for (const token of candidates) {
    const index = letterIn(body, token);
    if (index === undefined) continue;
    const char = body[index] as string;
    const flipped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
    const tampered = body.slice(0, index) + flipped + body.slice(index + 1);
    const before = body.slice(token.start, token.end);
    const after = tampered.slice(token.start, token.end);
    const field = token.key === undefined ? "a string" : token.key;
    return { body: tampered, detail: `${field} ${before} → ${after}` };
  }
  const digit = body.search(/\d/);
  if (digit !== -1) {
    const next = String((Number(body[digit]) + 1) % 10);
    return {
      body: body.slice(0, digit) + next + body.slice(digit + 1),
      detail: `digit at byte ${digit} → ${next}`,
    };
  }
  return { body: `${body} `, detail: "a space appended" };
}
