import { randomBytes } from "node:crypto";
import { createVerifier, isWebhookVerificationError } from "@colivara/webhooks";
import { CliError } from "./errors.js";
import { readFileCapped } from "./read-capped.js";

/** Most bytes a secret or API key file may hold: a few keys, with room for comments. */
const SECRET_FILE_BYTES = 64 * 1024;

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
      `No webhook secret: set ${SECRET_ENV} or pass --secret-file <file>. Use the secret ColiVara gave for your endpoint (colivara-webhooks register prints it), or make one for local testing with: colivara-webhooks secret`,
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

/**
 * Where a command's secret comes from: `--secret-file` (the file's first line), else
 * `--secret` or `COLIVARA_WEBHOOK_SECRET`.
 *
 * @example
 * ```ts
 * const flags: SecretFlags = { secretFile: ".colivara-secret" };
 * ```
 */
export interface SecretFlags {
  secret?: string | undefined;
  secretFile?: string | undefined;
}

/**
 * Reads a file holding a secret or an API key: its text, trimmed (several secrets may be
 * listed on separate lines). The message on failure names the file, never its content.
 *
 * @example
 * ```ts
 * const secret = await readSecretFile(".colivara-secret");
 * ```
 */
export async function readSecretFile(path: string, what = "secret"): Promise<string> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileCapped(path, SECRET_FILE_BYTES);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? error);
    throw new CliError("usage", `Cannot read the ${what} file ${path}: ${why}.`, { cause: error });
  }
  if (bytes === undefined) {
    throw new CliError(
      "usage",
      `The ${what} file ${path} holds more than ${SECRET_FILE_BYTES / 1024} KiB: it should hold only the ${what} (a line or a few).`,
    );
  }
  return bytes.toString("utf8").trim();
}

/**
 * The raw secret setting of a command: the `--secret-file` file's content when given, else
 * `--secret` / `COLIVARA_WEBHOOK_SECRET` (commander merges those two).
 *
 * @example
 * ```ts
 * const secrets = resolveSecrets(await secretSetting(flags));
 * ```
 */
export async function secretSetting(flags: SecretFlags): Promise<string | undefined> {
  return flags.secretFile === undefined ? flags.secret : readSecretFile(flags.secretFile);
}
