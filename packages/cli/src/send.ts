import { performance } from "node:perf_hooks";
import { signWebhook, upsertFailEvent, upsertSuccessEvent } from "@colivara/webhooks/testing";
import { CliError, networkError, parseHttpUrl } from "./errors.js";
import { readFileCapped } from "./read-capped.js";
import { tamperBody } from "./tamper.js";

/**
 * The deliveries `send` can make: a genuine one, and the three attacks an endpoint must
 * reject (body changed after signing, signed too long ago, the same delivery twice).
 *
 * @example
 * ```ts
 * const kinds: DeliveryKind[] = ["valid", "tamper", "stale", "replay"];
 * ```
 */
export type DeliveryKind = "valid" | "tamper" | "stale" | "replay";

/** Every kind, in the order `send --all` sends them. */
export const DELIVERY_KINDS: readonly DeliveryKind[] = ["valid", "tamper", "stale", "replay"];

/** The event types `send --event` can generate. */
export const EVENT_TYPES: readonly ["upsert.success", "upsert.fail"] = ["upsert.success", "upsert.fail"];

/** How far in the past a stale delivery is signed: twice the 5-minute tolerance. */
export const STALE_SECONDS = 600;

/** Svix gives up on an attempt after about 15 s. */
export const DEFAULT_TIMEOUT_SECONDS = 15;

/**
 * An HTTP answer as `send` saw it.
 *
 * @example
 * ```ts
 * const answer: HttpAnswer = { status: 401, body: '{"error":{"code":"invalid_signature"}}', errorCode: "invalid_signature" };
 * ```
 */
export interface HttpAnswer {
  status: number;
  body: string;
  /** `error.code` of a JSON error body (`{"error":{"code"}}`), when there is one. */
  errorCode?: string | undefined;
  /** True for the `200 {"duplicate":true}` answer to an already handled delivery. */
  duplicate?: boolean | undefined;
  /** The `location` header of a redirect. */
  location?: string | undefined;
  /** Milliseconds from sending the request to the end of the answer. */
  durationMs: number;
}

/**
 * The outcome of one delivery and whether the endpoint behaved as it must.
 *
 * @example
 * ```ts
 * if (result.verdict === "fail") console.error(result.explanation);
 * ```
 */
export interface DeliveryResult {
  delivery: DeliveryKind;
  /** The `svix-id` sent. */
  id: string;
  /** The `type` of the payload sent. */
  eventType: string;
  /** The signed timestamp (ISO 8601). */
  signedAt: string;
  /** The status that decided the verdict (for a replay: the second copy's); absent after a timeout. */
  status?: number | undefined;
  /** The answer that decided the verdict; absent after a timeout. */
  response?: HttpAnswer | undefined;
  /** Milliseconds the deciding answer took (for a timeout: how long it waited). */
  durationMs: number;
  /** For a replay: the answer to the first copy. */
  first?: HttpAnswer | undefined;
  /** For a tampered delivery: what was changed after signing. */
  tampered?: string | undefined;
  /** What the endpoint did: accepted, rejected, acknowledged as a duplicate, redirected, not found, no answer. */
  outcome: "accepted" | "rejected" | "duplicate" | "redirected" | "error" | "not_found" | "timeout";
  /**
   * `pass` when the endpoint answered as it must; `inconclusive` when the answer proves
   * nothing (404/405: no such endpoint; an attack rejected while no genuine delivery to the
   * same URL was accepted in the run).
   */
  verdict: "pass" | "fail" | "inconclusive";
  /** What the endpoint must answer. */
  expected: string;
  /** One sentence on the verdict, with what to fix when it failed. */
  explanation: string;
}

/**
 * Options of {@link sendDelivery}.
 *
 * @example
 * ```ts
 * const options: SendOptions = { url: "http://127.0.0.1:3000/webhooks/colivara", secret, kind: "tamper" };
 * ```
 */
export interface SendOptions {
  url: string | URL;
  /** The endpoint's `whsec_…` secret. */
  secret: string;
  kind?: DeliveryKind | undefined;
  /** The exact body to sign (a JSON string) or an object. Default: a realistic `upsert.success` event. */
  payload?: string | object | undefined;
  /** Seconds to wait for each answer. Default 15. */
  timeoutSeconds?: number | undefined;
  /** Extra headers sent with each request (a preview deployment's bypass token, say). */
  headers?: Record<string, string> | undefined;
}

/**
 * A realistic payload for an event type, as ColiVara sends it.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(examplePayload("upsert.fail"));
 * ```
 */
export function examplePayload(type: (typeof EVENT_TYPES)[number]): object {
  return type === "upsert.fail" ? upsertFailEvent() : upsertSuccessEvent();
}

/** Most bytes a payload file may hold: 16 times the body a verifier accepts by default. */
const PAYLOAD_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a payload file for `send --payload`: its exact bytes are signed and sent, so it
 * must hold JSON, of at most 16 MiB.
 *
 * @example
 * ```ts
 * const body = await readPayloadFile("event.json");
 * ```
 */
export async function readPayloadFile(path: string): Promise<string> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileCapped(path, PAYLOAD_FILE_BYTES);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? error);
    throw new CliError("invalid_payload_file", `Cannot read the payload file ${path}: ${why}.`, { cause: error });
  }
  if (bytes === undefined) {
    throw new CliError(
      "invalid_payload_file",
      `The payload file ${path} is over ${PAYLOAD_FILE_BYTES / 1024 / 1024} MiB; a verifier refuses bodies over 1 MiB by default (413), so there is nothing to learn from sending it.`,
    );
  }
  const text = bytes.toString("utf8");
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliError(
      "invalid_payload_file",
      `The payload file ${path} is not valid JSON (${(error as Error).message}). ColiVara sends JSON bodies such as {"type":"upsert.success",…}.`,
      { cause: error },
    );
  }
  return text;
}

function typeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { type?: unknown } | null;
    return typeof parsed?.type === "string" ? parsed.type : "(no type)";
  } catch {
    return "(not JSON)";
  }
}

async function post(url: URL, body: string, headers: Record<string, string>, timeoutSeconds: number) {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "user-agent": "colivara-webhooks-cli", ...headers },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
    const text = await response.text();
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const answer: HttpAnswer = { status: response.status, body: text, durationMs };
    const location = response.headers.get("location");
    if (location !== null) answer.location = location;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown }; duplicate?: unknown } | null;
      if (typeof parsed?.error?.code === "string") answer.errorCode = parsed.error.code;
      if (parsed?.duplicate === true) answer.duplicate = true;
    } catch {
      // Not JSON: shown as text.
    }
    return answer;
  } catch (error) {
    throw networkError(error, url, timeoutSeconds);
  }
}

const is2xx = (status: number) => status >= 200 && status < 300;
const is4xx = (status: number) => status >= 400 && status < 500;
const label = (answer: HttpAnswer) => `${answer.status}${answer.errorCode ? ` ${answer.errorCode}` : ""}`;

const WHY_REJECTED: Record<string, string> = {
  invalid_signature:
    "the endpoint's secret is not the one this delivery was signed with (--secret / COLIVARA_WEBHOOK_SECRET), or something changes the body before verification",
  timestamp_too_old: "the endpoint's clock is off: sync it (NTP)",
  timestamp_too_new: "the endpoint's clock is off: sync it (NTP)",
  body_already_parsed: "a JSON body parser runs before the verifier: mount the webhook route before it",
  invalid_config: "the endpoint has no valid secret configured (COLIVARA_WEBHOOK_SECRET)",
  missing_headers: "a proxy strips the svix-* headers",
};

type Verdict = Pick<DeliveryResult, "outcome" | "verdict" | "expected" | "explanation">;

const isNotFound = (status: number) => status === 404 || status === 405;

function notFound(answer: HttpAnswer, expected: string): Verdict {
  return {
    outcome: "not_found",
    verdict: "inconclusive",
    expected,
    explanation: `inconclusive: endpoint not found (${label(answer)}): nothing here takes POST deliveries, so this proves nothing. Check the URL's path and that the route accepts POST`,
  };
}

function judgeValid(answer: HttpAnswer): Verdict {
  const expected = "2xx";
  if (isNotFound(answer.status)) return notFound(answer, expected);
  if (is2xx(answer.status)) {
    return {
      outcome: "accepted",
      verdict: "pass",
      expected,
      explanation: "accepted: the genuine delivery was handled",
    };
  }
  if (answer.status >= 300 && answer.status < 400) {
    return {
      outcome: "redirected",
      verdict: "fail",
      expected,
      explanation: `redirected (${answer.status}${answer.location ? ` to ${answer.location}` : ""}): webhook senders do not follow redirects, register the final URL`,
    };
  }
  const why = (answer.errorCode && WHY_REJECTED[answer.errorCode]) || "see the response";
  return {
    outcome: answer.status >= 500 ? "error" : "rejected",
    verdict: "fail",
    expected,
    explanation: `rejected a genuine delivery (${label(answer)}): ${why}. ColiVara would retry it and eventually disable the endpoint`,
  };
}

function judgeAttack(answer: HttpAnswer, attack: string, risk: string): Verdict {
  const expected = "4xx (401)";
  if (isNotFound(answer.status)) return notFound(answer, expected);
  if (is4xx(answer.status)) {
    return { outcome: "rejected", verdict: "pass", expected, explanation: `rejected (${label(answer)})` };
  }
  if (is2xx(answer.status)) {
    return { outcome: "accepted", verdict: "fail", expected, explanation: `ACCEPTED ${attack}: ${risk}` };
  }
  if (answer.status >= 300 && answer.status < 400) {
    return {
      outcome: "redirected",
      verdict: "fail",
      expected,
      explanation: `redirected (${answer.status}) instead of rejecting: send to the final URL to check it`,
    };
  }
  return {
    outcome: "error",
    verdict: "fail",
    expected,
    explanation: `answered ${label(answer)} instead of a 4xx: the endpoint fails instead of rejecting ${attack}; verify the signature before running any code on the body`,
  };
}

function judgeReplay(first: HttpAnswer, second: HttpAnswer): Verdict {
  const expected = '4xx, or 200 {"duplicate":true}';
  if (!is2xx(first.status)) {
    const verdict = judgeValid(first);
    return {
      outcome: verdict.outcome,
      verdict: verdict.verdict === "inconclusive" ? "inconclusive" : "fail",
      expected,
      explanation: `the first copy was not accepted, so replay protection could not be checked: ${verdict.explanation}`,
    };
  }
  if (second.duplicate === true && is2xx(second.status)) {
    return {
      outcome: "duplicate",
      verdict: "pass",
      expected,
      explanation: 'second copy acknowledged as a duplicate (200 {"duplicate":true}): the handler ran once',
    };
  }
  if (is4xx(second.status)) {
    return {
      outcome: "rejected",
      verdict: "pass",
      expected,
      explanation: `second copy rejected as a replay (${label(second)})`,
    };
  }
  if (is2xx(second.status)) {
    return {
      outcome: "accepted",
      verdict: "fail",
      expected,
      explanation:
        "ACCEPTED the same delivery twice without marking it a duplicate: unless the handler deduplicates by svix-id, it ran twice",
    };
  }
  return {
    outcome: "error",
    verdict: "fail",
    expected,
    explanation: `answered ${label(second)} to the second copy; a duplicate must be rejected or acknowledged, not fail`,
  };
}

/**
 * Signs and posts one delivery the way ColiVara (through Svix) does, and judges the answer:
 * a genuine delivery must get a 2xx; a tampered or stale one a 4xx; a replayed one (the
 * same signed delivery, twice) a 4xx or `200 {"duplicate":true}` for the second copy.
 * Network failures throw a {@link CliError} (`unreachable`, `timeout`).
 *
 * @example
 * ```ts
 * import { sendDelivery } from "@colivara/webhooks-cli";
 *
 * const result = await sendDelivery({ url: "http://127.0.0.1:3000/webhooks/colivara", secret, kind: "stale" });
 * console.log(result.status, result.verdict); // 401 pass
 * ```
 */
export async function sendDelivery(options: SendOptions): Promise<DeliveryResult> {
  const url = options.url instanceof URL ? options.url : parseHttpUrl(options.url, "The endpoint URL");
  const kind = options.kind ?? "valid";
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const now = Math.floor(Date.now() / 1000);
  const timestamp = kind === "stale" ? now - STALE_SECONDS : now;
  const signed = signWebhook({
    secret: options.secret,
    payload: options.payload ?? examplePayload("upsert.success"),
    timestamp,
  });
  const base = {
    delivery: kind,
    id: signed.headers["svix-id"],
    eventType: typeOf(signed.body),
    signedAt: new Date(timestamp * 1000).toISOString(),
  };
  const headers = { ...options.headers, ...signed.headers };
  const send = (body: string) => post(url, body, headers, timeoutSeconds);
  try {
    return { ...base, ...(await attempt(kind, signed.body, send)) };
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== "timeout") throw error;
    return { ...base, ...timedOut(timeoutSeconds) };
  }
}

type Attempt = Omit<DeliveryResult, "delivery" | "id" | "eventType" | "signedAt">;

function timedOut(timeoutSeconds: number): Attempt {
  return {
    durationMs: timeoutSeconds * 1000,
    outcome: "timeout",
    verdict: "fail",
    expected: "an answer within the timeout",
    explanation: `no answer within ${timeoutSeconds} s: ColiVara's sender gives up after about 15 s and retries, so answer quickly (do slow work after responding)`,
  };
}

async function attempt(
  kind: DeliveryKind,
  body: string,
  send: (body: string) => Promise<HttpAnswer>,
): Promise<Attempt> {
  const decided = (response: HttpAnswer) => ({ status: response.status, response, durationMs: response.durationMs });
  if (kind === "tamper") {
    const tampered = tamperBody(body);
    const response = await send(tampered.body);
    const verdict = judgeAttack(
      response,
      "a delivery whose body was changed after signing",
      "the endpoint does not verify the signature over the raw body, so anyone can forge events",
    );
    return { ...decided(response), tampered: tampered.detail, ...verdict };
  }
  const first = await send(body);
  if (kind === "valid") return { ...decided(first), ...judgeValid(first) };
  if (kind === "stale") {
    const verdict = judgeAttack(
      first,
      `a delivery signed ${STALE_SECONDS / 60} minutes ago`,
      "the endpoint does not check the signed timestamp (5 minutes tolerance), so a captured delivery can be replayed later",
    );
    return { ...decided(first), ...verdict };
  }
  const second = is2xx(first.status) ? await send(body) : first;
  return { ...decided(second), first, ...judgeReplay(first, second) };
}
