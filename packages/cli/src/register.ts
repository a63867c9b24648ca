import { createVerifier } from "@colivara/webhooks";
import { CliError, networkError, parseHttpUrl } from "./errors.js";
import { responseStart } from "./read-capped.js";

/** Most bytes of ColiVara's answer read: its real answers are a few hundred bytes. */
const ANSWER_BYTES = 64 * 1024;

/** ColiVara's API. */
export const DEFAULT_BASE_URL = "https://api.colivara.com";

/** Where the CLI reads the API key when `--api-key` is absent. */
export const API_KEY_ENV = "COLIVARA_API_KEY";

/**
 * Options of {@link registerEndpoint}.
 *
 * @example
 * ```ts
 * const options: RegisterOptions = { url: "https://example.com/webhooks/colivara", apiKey: process.env.COLIVARA_API_KEY! };
 * ```
 */
export interface RegisterOptions {
  /** Your endpoint's public URL. */
  url: string;
  /** Your ColiVara API key, sent as a Bearer token. */
  apiKey: string;
  /** Default `https://api.colivara.com`. */
  baseUrl?: string | undefined;
  /** Seconds to wait for the answer. Default 30. */
  timeoutSeconds?: number | undefined;
}

/**
 * ColiVara's answer to a registration: keep `webhook_secret`, your endpoint verifies
 * deliveries with it.
 *
 * @example
 * ```ts
 * const { webhook_secret }: Registration = await registerEndpoint(options);
 * ```
 */
export interface Registration {
  app_id: string;
  endpoint_id: string;
  webhook_secret: string;
}

/** A validation error's items (`[{"loc": [...], "msg": "..."}]`) as `url: msg; …`. */
function validationItems(detail: unknown[]): string {
  return detail
    .map((item) => {
      const { loc, msg } = (item ?? {}) as { loc?: unknown; msg?: unknown };
      const where = Array.isArray(loc) ? loc.filter((part) => part !== "body").join(".") : "";
      const what = typeof msg === "string" ? msg : JSON.stringify(item);
      return where === "" ? what : `${where}: ${what}`;
    })
    .join("; ");
}

function detailOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown } | null;
    const detail = parsed?.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return validationItems(detail);
    if (detail !== undefined) return JSON.stringify(detail);
  } catch {
    // Not JSON.
  }
  return undefined;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || "(empty body)";
}

/**
 * Registers (or re-points) your ColiVara webhook endpoint: the REST call behind the ColiVara
 * SDKs' `add_webhook` / `addWebhook`, `POST {baseUrl}/v1/webhook/` with `{"url"}` and your
 * API key as a Bearer token. Calling it again replaces the URL of your one endpoint.
 * Failures throw a {@link CliError}: `api_rejected` (400 and 422, with ColiVara's `detail`),
 * `api_unauthorized` (401/403), `api_error`, `unreachable`, `timeout`.
 *
 * @example
 * ```ts
 * import { registerEndpoint } from "@colivara/webhooks-cli";
 *
 * const { webhook_secret } = await registerEndpoint({
 *   url: "https://example.com/webhooks/colivara",
 *   apiKey: process.env.COLIVARA_API_KEY!,
 * });
 * ```
 */
export async function registerEndpoint(options: RegisterOptions): Promise<Registration> {
  parseHttpUrl(options.url, "The endpoint URL");
  const base = parseHttpUrl(options.baseUrl ?? DEFAULT_BASE_URL, "The API base URL (--base-url)");
  if (options.apiKey.trim() === "") {
    throw new CliError("missing_api_key", `The API key is empty: set ${API_KEY_ENV} or pass --api-key-file.`);
  }
  if (!/^[\x21-\x7e]+$/.test(options.apiKey.trim())) {
    throw new CliError(
      "usage",
      `The API key holds a space or a character an HTTP header cannot carry: copy it again from your ColiVara account (${API_KEY_ENV} or --api-key-file).`,
    );
  }
  const endpoint = new URL("v1/webhook/", base.href.endsWith("/") ? base.href : `${base.href}/`);
  const { status, text } = await postUrl(endpoint, options);
  refuseFailure(status, text, endpoint, options.url);
  return registrationOf(status, text, endpoint);
}

/** The POST itself; a network failure or timeout becomes its {@link CliError}. */
async function postUrl(endpoint: URL, options: RegisterOptions): Promise<{ status: number; text: string }> {
  const timeoutSeconds = options.timeoutSeconds ?? 30;
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.apiKey.trim()}`,
        "content-type": "application/json",
        accept: "application/json",
        "user-agent": "colivara-webhooks-cli",
      },
      body: JSON.stringify({ url: options.url }),
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    const { bytes, cut } = await responseStart(response, ANSWER_BYTES);
    if (cut) {
      throw new CliError(
        "api_error",
        `${endpoint.href} answered ${response.status} with more than ${ANSWER_BYTES / 1024} KiB; ColiVara's answer is a few hundred bytes. Is --base-url ColiVara's API?`,
      );
    }
    return { status: response.status, text: bytes.toString("utf8") };
  } catch (error) {
    throw networkError(error, endpoint, timeoutSeconds);
  }
}

/** Whether the core accepts it as a webhook secret (whsec_ and base64 of at least 24 bytes). */
function isSecret(value: string): boolean {
  try {
    createVerifier({ secret: value });
    return /^whsec_[A-Za-z0-9+/=]+$/.test(value);
  } catch {
    return false;
  }
}

/** Throws for every status that is not a 2xx, saying what ColiVara objected to. */
function refuseFailure(status: number, text: string, endpoint: URL, url: string): void {
  const detail = detailOf(text);
  if (status === 401 || status === 403) {
    throw new CliError(
      "api_unauthorized",
      `ColiVara refused the API key (${status}${detail ? `: ${detail}` : ""}). Check ${API_KEY_ENV} (or the --api-key-file file): it is the API key of your ColiVara account.`,
    );
  }
  if (status === 422) {
    throw new CliError(
      "api_rejected",
      `ColiVara found the request invalid (422): ${detail ?? snippet(text)}. The endpoint URL must be a complete public URL, such as https://example.com/webhooks/colivara.`,
    );
  }
  if (status >= 400 && status < 500) {
    throw new CliError("api_rejected", `ColiVara refused to register ${url} (${status}): ${detail ?? snippet(text)}`);
  }
  if (status < 200 || status >= 300) {
    throw new CliError(
      "api_error",
      `ColiVara answered ${status} at ${endpoint.href}: ${detail ?? snippet(text)}. Try again later.`,
    );
  }
}

/** The registration in a 2xx answer, or an error describing the answer's shape (never its values). */
function registrationOf(status: number, text: string, endpoint: URL): Registration {
  let parsed: Partial<Record<keyof Registration, unknown>> | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = null;
  }
  const id = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);
  const appId = id(parsed?.app_id);
  const endpointId = id(parsed?.endpoint_id);
  if (typeof parsed?.webhook_secret !== "string" || appId === undefined || endpointId === undefined) {
    // Describe the shape only: the body may hold a secret.
    const got =
      parsed !== null && typeof parsed === "object"
        ? `an object with keys ${JSON.stringify(Object.keys(parsed))}`
        : `${text.length} bytes that are not a JSON object`;
    throw new CliError(
      "api_error",
      `Unexpected answer from ${endpoint.href} (${status}): expected {"app_id","endpoint_id","webhook_secret"}, got ${got}. Is --base-url ColiVara's API?`,
    );
  }
  if (!isSecret(parsed.webhook_secret)) {
    // Never printed: it may be a real secret with a stray character, or a hostile string.
    throw new CliError(
      "api_error",
      `The answer from ${endpoint.href} (${status}) holds a webhook_secret that is not a whsec_ secret (${parsed.webhook_secret.length} characters). Is --base-url ColiVara's API?`,
    );
  }
  return { app_id: appId, endpoint_id: endpointId, webhook_secret: parsed.webhook_secret };
}
