import { STATUS_CODES } from "node:http";
import { InvalidArgumentError } from "commander";
import { EXIT_CODES, parseHttpUrl } from "./errors.js";
import { type Colors, colorsFor, jsonLine, out, pad, preview, safe } from "./output.js";
import { resolveSecrets, type SecretFlags, secretSetting } from "./secret.js";
import {
  DELIVERY_KINDS,
  type DeliveryKind,
  type DeliveryResult,
  type EVENT_TYPES,
  examplePayload,
  readPayloadFile,
  STALE_SECONDS,
  sendDelivery,
} from "./send.js";

/** The flags of `send`. */
export interface SendFlags extends SecretFlags {
  event: (typeof EVENT_TYPES)[number];
  payload?: string;
  tamper?: boolean;
  stale?: boolean;
  replay?: boolean;
  all?: boolean;
  timeout: number;
  header?: Record<string, string>;
  json?: boolean;
}

const KIND_LABEL: Record<DeliveryKind, string> = {
  valid: "genuine delivery",
  tamper: "tampered delivery",
  stale: `stale delivery (signed ${STALE_SECONDS / 60} minutes ago)`,
  replay: "replayed delivery (the same delivery sent twice)",
};

/**
 * Commander's parser for a repeatable `--header "Name: value"`.
 *
 * @example
 * ```ts
 * collectHeader("x-vercel-protection-bypass: abc", {}); // { "x-vercel-protection-bypass": "abc" }
 * ```
 */
export function collectHeader(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const colon = value.indexOf(":");
  const name = colon === -1 ? "" : value.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^`|~\w-]+$/.test(name)) {
    throw new InvalidArgumentError('expected "Name: value", e.g. --header "x-vercel-protection-bypass: <token>".');
  }
  return { ...previous, [name.toLowerCase()]: value.slice(colon + 1).trim() };
}

function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ""}`.trim();
}

function printResult(c: Colors, result: DeliveryResult): void {
  out(`${c.bold(`● ${KIND_LABEL[result.delivery]}`)} ${c.dim(`(${result.eventType}, ${result.id})`)}`);
  if (result.tampered) out(`  ${pad("changed", 9)} ${result.tampered} ${c.dim("(after signing)")}`);
  const { response, first } = result;
  if (response) {
    const status =
      first && first !== response
        ? `${statusText(first.status)}, then ${statusText(response.status)}`
        : statusText(response.status);
    out(`  ${pad("status", 9)} ${status}`);
    out(`  ${pad("response", 9)} ${response.body === "" ? c.dim("(empty)") : safe(preview(response.body))}`);
  } else {
    out(`  ${pad("status", 9)} ${c.red("no answer")}`);
  }
  out(`  ${pad("time", 9)} ${result.outcome === "timeout" ? "over " : ""}${result.durationMs} ms`);
  const mark = { pass: c.green("✓"), fail: c.red("✗"), inconclusive: c.yellow("?") }[result.verdict];
  // An explanation quotes the endpoint's answer (a Location, an error code): escaped.
  const explanation = safe(result.explanation);
  const text =
    result.verdict === "pass" ? explanation : result.verdict === "fail" ? c.red(explanation) : c.yellow(explanation);
  out(`  ${pad("verdict", 9)} ${mark} ${text}`);
  out();
}

/**
 * An attack's rejection proves something only when the same endpoint accepted a genuine
 * delivery in the same run (sent first): otherwise a wrong secret or a broken route would pass it.
 */
function unproven(result: DeliveryResult, genuineAccepted: boolean): DeliveryResult {
  if (genuineAccepted || result.delivery === "valid" || result.verdict !== "pass") return result;
  return {
    ...result,
    verdict: "inconclusive",
    explanation: `inconclusive: ${result.explanation}, but the genuine delivery to this URL was not accepted in this run, so a rejection proves nothing (a wrong secret or a broken route rejects everything)`,
  };
}

function summaryLine(c: Colors, results: DeliveryResult[]): string {
  const count = (verdict: DeliveryResult["verdict"]) => results.filter((r) => r.verdict === verdict).length;
  const [passed, failed, inconclusive] = [count("pass"), count("fail"), count("inconclusive")];
  if (failed === 0 && inconclusive === 0) {
    return c.green(`${results.length === 1 ? "The check" : `All ${results.length} checks`} passed.`);
  }
  const attack = results.some((r) => r.delivery !== "valid" && r.outcome === "accepted");
  const parts = [`${passed} passed`, `${failed} failed`, `${inconclusive} inconclusive`];
  const line = `${parts.join(", ")} of ${results.length} check${results.length === 1 ? "" : "s"}${attack ? ": the endpoint accepted an attack" : ""}.`;
  return failed > 0 ? c.red(line) : c.yellow(line);
}

function exitCode(results: DeliveryResult[]): number {
  if (results.some((r) => r.outcome === "timeout")) return EXIT_CODES.network;
  return results.every((r) => r.verdict === "pass") ? EXIT_CODES.ok : EXIT_CODES.verdict;
}

function kindsFor(flags: SendFlags): DeliveryKind[] {
  if (flags.all) return [...DELIVERY_KINDS];
  const attacks = DELIVERY_KINDS.filter((kind) => kind !== "valid" && flags[kind]);
  // A genuine delivery always goes first: it is what makes an attack's rejection mean something.
  return ["valid", ...attacks];
}

/**
 * `colivara-webhooks send`: posts a genuine delivery and the chosen attacks, prints one row
 * each (status, response, time, verdict) and resolves to the exit code. A timeout is a
 * failed row, not the end of the run.
 *
 * @example
 * ```ts
 * const code = await sendCommand("http://127.0.0.1:3000/webhooks/colivara", { event: "upsert.success", timeout: 15, header: {}, all: true });
 * ```
 */
export async function sendCommand(target: string, flags: SendFlags): Promise<number> {
  const url = parseHttpUrl(target, "The endpoint URL");
  const [secret] = resolveSecrets(await secretSetting(flags));
  const body =
    flags.payload === undefined ? JSON.stringify(examplePayload(flags.event)) : await readPayloadFile(flags.payload);
  const c = colorsFor(process.stdout);
  if (!flags.json) out(c.dim(`POST ${url.href}\n`));
  const results: DeliveryResult[] = [];
  for (const kind of kindsFor(flags)) {
    const options = { url, secret, kind, payload: body, timeoutSeconds: flags.timeout, headers: flags.header };
    const genuineAccepted = results.some((r) => r.delivery === "valid" && r.verdict === "pass");
    const result = unproven(await sendDelivery(options), genuineAccepted);
    results.push(result);
    if (!flags.json) printResult(c, result);
  }
  if (flags.json) {
    out(jsonLine({ url: url.href, ok: results.every((r) => r.verdict === "pass"), results }, 2));
  } else {
    out(summaryLine(c, results));
  }
  return exitCode(results);
}
