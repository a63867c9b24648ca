/**
 * Exit codes of `colivara-webhooks`. Scripts can rely on them.
 *
 * @example
 * ```ts
 * if (code === EXIT_CODES.verdict) console.error("the endpoint accepted an attack");
 * ```
 */
export const EXIT_CODES: {
  /** Success: every delivery got the answer it should. */
  readonly ok: 0;
  /** `send`: the endpoint accepted an attack, or rejected a genuine delivery. */
  readonly verdict: 1;
  /** Bad arguments or configuration: a bad URL, a missing or invalid secret or API key, an unreadable payload file. */
  readonly usage: 2;
  /** Network: the server is unreachable, did not answer in time, or the port to listen on is taken. */
  readonly network: 3;
  /** `register`: ColiVara's API refused the request or answered something unexpected. */
  readonly api: 4;
  /** An unexpected internal error (a bug: please report it). */
  readonly internal: 70;
} = { ok: 0, verdict: 1, usage: 2, network: 3, api: 4, internal: 70 };

/**
 * Stable codes of {@link CliError}, printed by `--json` as `{"error":{"code","message"}}`.
 *
 * @example
 * ```ts
 * const code: CliErrorCode = "unreachable";
 * ```
 */
export type CliErrorCode =
  | "usage"
  | "invalid_url"
  | "missing_secret"
  | "invalid_secret"
  | "missing_api_key"
  | "invalid_payload_file"
  | "unreachable"
  | "timeout"
  | "address_in_use"
  | "api_rejected"
  | "api_unauthorized"
  | "api_error";

const EXIT_FOR: Record<CliErrorCode, number> = {
  usage: EXIT_CODES.usage,
  invalid_url: EXIT_CODES.usage,
  missing_secret: EXIT_CODES.usage,
  invalid_secret: EXIT_CODES.usage,
  missing_api_key: EXIT_CODES.usage,
  invalid_payload_file: EXIT_CODES.usage,
  unreachable: EXIT_CODES.network,
  timeout: EXIT_CODES.network,
  address_in_use: EXIT_CODES.network,
  api_rejected: EXIT_CODES.api,
  api_unauthorized: EXIT_CODES.api,
  api_error: EXIT_CODES.api,
};

/**
 * An error the CLI explains to the user and turns into an exit code. `message` says what
 * went wrong and what to do; it never holds a secret or an API key.
 *
 * @example
 * ```ts
 * throw new CliError("missing_api_key", "No API key: pass --api-key or set COLIVARA_API_KEY.");
 * ```
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = EXIT_FOR[code];
  }
}

interface SystemError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** The first Node system error code (`ECONNREFUSED`…) found in an error's cause chain. */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const value = current as SystemError;
    if (typeof value.code === "string" && /^[A-Z_]+$/.test(value.code)) return value.code;
    // Happy eyeballs (localhost → ::1 and 127.0.0.1) reports an AggregateError.
    if (Array.isArray(value.errors) && value.errors.length > 0) {
      const inner = systemCode(value.errors[0]);
      if (inner !== undefined) return inner;
    }
    current = value.cause;
  }
  return undefined;
}

/**
 * Turns a failed `fetch` into a {@link CliError} that says what to check.
 *
 * @example
 * ```ts
 * const response = await fetch(url).catch((error) => { throw networkError(error, new URL(url), 15); });
 * ```
 */
export function networkError(error: unknown, url: URL, timeoutSeconds: number): CliError {
  if (error instanceof CliError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new CliError(
      "timeout",
      `${url.origin} did not answer within ${timeoutSeconds} s. ColiVara's sender gives up after about 15 s and retries, so a webhook endpoint should answer quickly (do slow work after responding).`,
      { cause: error },
    );
  }
  const code = systemCode(error);
  const where = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  let reason: string;
  switch (code) {
    case "ECONNREFUSED":
      reason = `connection refused (ECONNREFUSED): nothing is listening on ${where}. Is the server running, and on that port?`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      reason = `the host name ${url.hostname} could not be resolved (${code}). Check the URL for typos.`;
      break;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
    case "EPIPE":
      reason = `the server closed the connection without answering (${code}).`;
      break;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      reason = `${url.hostname} is not reachable from this machine (${code}).`;
      break;
    default: {
      if (code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
        reason = `the TLS certificate was refused (${code}). Webhook senders require a valid certificate for https URLs.`;
      } else {
        const cause = (error as SystemError | null)?.cause as SystemError | undefined;
        const detail = typeof cause?.message === "string" ? cause.message : String(error);
        reason =
          detail === "bad port"
            ? `port ${url.port} is on fetch's list of blocked ports; use another port.`
            : code === undefined
              ? detail
              : `${detail} (${code})`;
      }
    }
  }
  return new CliError("unreachable", `Could not reach ${url.origin}: ${reason}`, { cause: error });
}

/**
 * Parses a URL argument: an absolute `http:` or `https:` URL, or a clear error.
 *
 * @example
 * ```ts
 * const url = parseHttpUrl("http://127.0.0.1:3000/webhooks/colivara", "the endpoint URL");
 * ```
 */
export function parseHttpUrl(value: string, what: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    const guess = /^[\w.-]+(:\d+)?(\/|$)/.test(value) ? ` Did you mean http://${value} ?` : "";
    throw new CliError(
      "invalid_url",
      `${what} must be an absolute http:// or https:// URL, got "${value}".${guess} Example: http://127.0.0.1:3000/webhooks/colivara`,
    );
  }
  return url;
}
