import { WebhookVerificationError } from "./errors.js";

/**
 * How a numeric option is checked: its default, whether 0 is allowed, and the unit the
 * error message names.
 */
export interface NumberOptionRule {
  fallback: number;
  /** 0 is valid (a tolerance of 0 s); otherwise the value must be above 0. */
  allowZero?: boolean | undefined;
  /** Named in the error, e.g. "seconds". */
  unit?: string | undefined;
}

/**
 * The one validator for numeric options: `undefined` gives the default; anything that is
 * not a finite number in range throws `invalid_config` naming the option, the unit and the
 * default, at start-up.
 *
 * @example
 * ```ts
 * const ttl = numberOption("ttlSeconds", options.ttlSeconds, { fallback: 100_800, unit: "seconds" });
 * ```
 */
export function numberOption(name: string, value: unknown, rule: NumberOptionRule): number {
  if (value === undefined) return rule.fallback;
  const low = rule.allowZero ? value === 0 || (value as number) > 0 : (value as number) > 0;
  if (typeof value === "number" && Number.isFinite(value) && low) return value;
  const kind = rule.allowZero ? "a non-negative" : "a positive";
  const unit = rule.unit ? ` of ${rule.unit}` : "";
  throw new WebhookVerificationError(
    "invalid_config",
    `${name} must be ${kind} number${unit} (default ${rule.fallback}), got ${String(value)}.`,
  );
}
