import { nearestKey } from "@colivara/webhooks/adapter";
import { invalid, kindOf } from "./sql-client.js";

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
    const near = nearestKey(key, known);
    throw invalid(
      `Unknown option "${key}" of ${caller}.${near ? ` Did you mean "${near}"?` : ""} Known options: ${known.join(", ")}.`,
    );
  }
  return options as Record<string, unknown>;
}
