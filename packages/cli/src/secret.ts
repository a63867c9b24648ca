import { randomBytes } from "node:crypto";
import { createVerifier, isWebhookVerificationError } from "@colivara/webhooks";
import { CliError } from "./errors.js";

/** Key length Svix issues, and the Standard Webhooks minimum. */
export const SECRET_BYTES = 24;

/** Where the CLI reads the webhook secret when `--secret` is absent. */
export const SECRET_ENV = "COLIVARA_WEBHOOK_SECRET";

/**
 * A new random webhook secret in the Svix format: `whsec_` and the base64 of 24 random bytes.
 *
 * @example
 * ```ts
 * import { generateSecret } from "@colivara/webhooks-cli";
 *
 * process.env.COLIVARA_WEBHOOK_SECRET = generateSecret();
 * ```
 */
export function generateSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/**
 * The secrets given with `--secret` or `COLIVARA_WEBHOOK_SECRET` (several may be listed,
 * separated by commas or spaces), checked by the real verifier so a bad one fails here
 * with a message that says what is wrong.
 *
 * @example
 * ```ts
 * const [signingSecret] = resolveSecrets(options.secret);
 * ```
 */
export function resolveSecrets(value: string | undefined): [string, ...string[]] {
  const list = (value ?? "").split(/[\s,]+/).filter((s) => s !== "");
  if (list.length === 0) {
    throw new CliError(
      "missing_secret",
      `No webhook secret: pass --secret whsec_… or set ${SECRET_ENV}. Use the secret ColiVara gave for your endpoint (colivara-webhooks register prints it), or make one for local testing with: colivara-webhooks secret`,
    );
  }
  try {
    createVerifier({ secret: list });
  } catch (error) {
    if (isWebhookVerificationError(error)) {
      throw new CliError(
        "invalid_secret",
        `Invalid webhook secret: ${error.message.replace(/^The secret option/, "The secret")}`,
        { cause: error },
      );
    }
    throw error;
  }
  return list as [string, ...string[]];
}
