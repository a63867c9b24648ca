import { WebhookVerificationError } from "../shared/errors.js";
import { decodeBase64Strict } from "./base64.js";

/** The Standard Webhooks minimum; Svix issues 24-byte keys. */
export const MIN_KEY_BYTES = 24;
export const SECRET_ENV = "COLIVARA_WEBHOOK_SECRET";

const WHERE =
  "Copy the webhook secret (it starts with whsec_) from your ColiVara dashboard or from the addWebhook response";

function configError(message: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_config", message);
}

function readEnv(): string | undefined {
  // `process` is absent on Workers/Deno without the Node compat layer.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[SECRET_ENV];
}

/** One secret string to key bytes, or a configuration error naming what is wrong. */
function parseOne(raw: string, label: string): Uint8Array {
  const trimmed = raw.trim();
  if (trimmed === "") throw configError(`${label} is empty. ${WHERE}.`);
  if (/^v1,/.test(trimmed)) {
    throw configError(`${label} looks like a signature (v1,…) taken from a request header, not a secret. ${WHERE}.`);
  }
  const body = trimmed.startsWith("whsec_") ? trimmed.slice(6) : trimmed;
  if (body === "") throw configError(`${label} is only the prefix "whsec_" with no key after it. ${WHERE}.`);
  const key = decodeBase64Strict(body);
  if (key === undefined) {
    throw configError(
      `${label} is not valid base64 after the whsec_ prefix (was it truncated or wrapped in quotes?). ${WHERE}.`,
    );
  }
  if (key.length < MIN_KEY_BYTES) {
    throw configError(
      `${label} decodes to ${key.length} bytes; webhook keys are at least ${MIN_KEY_BYTES} bytes. ${WHERE}.`,
    );
  }
  return key;
}

/**
 * Resolves the configured secrets (option, else the environment) to key bytes. Throws
 * `invalid_config` with a message that says what to set; messages never quote the secret.
 */
export function resolveKeys(secret: string | readonly string[] | undefined): Uint8Array[] {
  let list: readonly unknown[];
  let source: string;
  if (secret === undefined) {
    const env = readEnv();
    if (env === undefined || env.trim() === "") {
      throw configError(
        `No webhook secret configured. Set the ${SECRET_ENV} environment variable or pass { secret } in the options. ${WHERE}.`,
      );
    }
    // Stryker disable next-line Regex: splitting on single separators only adds empty pieces, which the filter drops
    list = env.split(/[\s,]+/).filter((s) => s !== "");
    source = SECRET_ENV;
    // Only separators (", ,"): no key at all would reject every delivery, silently.
    if (list.length === 0) throw configError(`${SECRET_ENV} holds no secret, only separators. ${WHERE}.`);
  } else if (typeof secret === "string") {
    list = [secret];
    source = "The secret option";
  } else if (Array.isArray(secret)) {
    if (secret.length === 0) throw configError(`The secret option is an empty array. ${WHERE}.`);
    list = secret;
    source = "The secret option";
  } else {
    throw configError(`The secret option must be a string or an array of strings, got ${typeof secret}. ${WHERE}.`);
  }
  return list.map((item, index) => {
    const label = list.length > 1 ? `${source} (entry ${index + 1})` : source;
    if (typeof item !== "string") throw configError(`${label} must be a string, got ${typeof item}.`);
    return parseOne(item, label);
  });
}
