import { invalid, kindOf } from "./sql-client.js";

/** Levenshtein distance between two short option names. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, replace);
    }
    row = next;
  }
  return row[b.length] as number;
}

/** The known key a mistyped one most likely meant, as the core's options say it. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const scored = known.map((name) => {
    const candidate = name.toLowerCase();
    return { name, score: candidate.startsWith(lower) || lower.startsWith(candidate) ? 0 : distance(lower, candidate) };
  });
  const best = scored.sort((x, y) => x.score - y.score)[0];
  return best && best.score <= Math.max(2, Math.floor(key.length / 3)) ? best.name : undefined;
}

/**
 * Checks that `options` is an object of known keys only. Throws `invalid_config` naming
 * the unknown key and the known one it most likely meant (`timeout` → `timeoutMs`).
 */
export function checkOptionKeys(caller: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === null || typeof options !== "object") {
    throw invalid(`${caller} options must be an object like { ${known.join(", ")} }, got ${kindOf(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw invalid(
      `Unknown option "${key}" of ${caller}.${near ? ` Did you mean "${near}"?` : ""} Known options: ${known.join(", ")}.`,
    );
  }
  return options as Record<string, unknown>;
}
