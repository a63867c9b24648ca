import { STATUS_CODES } from "node:http";
import type { DeliveryReport } from "./delivery-report.js";
import { CliError, EXIT_CODES, parseHttpUrl } from "./errors.js";
import { startListener } from "./listen.js";
import { type Colors, colorsFor, err, jsonLine, out, preview, safe } from "./output.js";
import { generateSecret, resolveSecrets, SECRET_ENV, type SecretFlags, secretSetting } from "./secret.js";
import { showHeaders } from "./shown-headers.js";

const BIN = "colivara-webhooks";
const INDENT = " ".repeat(10);

/** The flags of `listen`. */
export interface ListenFlags extends SecretFlags {
  port: number;
  path?: string;
  forwardTo?: string;
  status?: number;
  json?: boolean;
}

function time(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

// Everything a delivery carried is printed through `safe` (the core's escapeText): a name,
// an error or an unverified id holding escape sequences shows as text, never drives the terminal.
function summary(event: NonNullable<DeliveryReport["event"]>): string {
  switch (event.type) {
    case "upsert.success":
      return `${safe(event.name)} stored in ${safe(event.collection_name)} (${event.num_pages} pages, document ${event.id})`;
    case "upsert.fail":
      return `${safe(event.name)} failed: ${safe(event.error)}`;
    case "unknown":
      return `an event type this version does not know: ${safe(event.originalType)}`;
  }
}

function printVerdict(c: Colors, report: DeliveryReport): void {
  const where = c.dim(safe(`${report.method} ${report.path}${report.id ? `  ${report.id}` : ""}`));
  const at = time(report.receivedAt);
  if (report.verified && report.event) {
    out(`${at}  ${c.green("✓")} ${report.status}  ${c.bold(safe(report.event.type))}  ${where}`);
    out(`${INDENT}${summary(report.event)}`);
    const json = JSON.stringify(report.event.type === "unknown" ? report.event.payload : report.event, null, 2);
    for (const line of json.split("\n")) out(`${INDENT}${c.dim(safe(line))}`);
  } else if (report.duplicate) {
    out(`${at}  ${c.yellow("↺")} ${report.status}  ${c.bold("duplicate")}  ${where}`);
    out(`${INDENT}already handled: acknowledged, not handled again`);
  } else {
    const code = report.error?.code ?? "rejected";
    out(`${at}  ${c.red("✗")} ${report.status}  ${c.bold(c.red(safe(code)))}  ${where}`);
    if (report.error?.message) out(`${INDENT}${safe(report.error.message)}`);
  }
}

function printDetails(c: Colors, report: DeliveryReport): void {
  const facts: string[] = [];
  if (report.secretIndex !== undefined) facts.push(`secret #${report.secretIndex}`);
  if (report.skewSeconds !== undefined) facts.push(`signed ${report.skewSeconds} s before arrival`);
  if (report.replayOf) facts.push(`replay (${report.replayOf.mode}) of #${report.replayOf.seq}`);
  if (facts.length > 0) out(`${INDENT}${c.dim(facts.join(" · "))}`);
  const app = report.app;
  if (app?.status !== undefined) {
    const status = `${app.status} ${STATUS_CODES[app.status] ?? ""}`.trim();
    const body = app.body ? `  ${safe(preview(app.body, 200))}` : "";
    out(`${INDENT}app → ${c.bold(status)} in ${app.durationMs} ms${c.dim(body)}`);
  } else if (app?.error) {
    out(`${INDENT}app → ${c.red(`no answer: ${safe(app.error)}`)}`);
  } else if (report.answeredBy === "status") {
    out(`${INDENT}${c.dim(`answered ${report.status} (--status)`)}`);
  }
}

function printReport(c: Colors, report: DeliveryReport): void {
  printVerdict(c, report);
  printDetails(c, report);
}

async function secretsOrFresh(flags: ListenFlags): Promise<{ secrets: [string, ...string[]]; generated: boolean }> {
  const setting = await secretSetting(flags);
  if (setting !== undefined && setting.trim() !== "") return { secrets: resolveSecrets(setting), generated: false };
  return { secrets: [generateSecret()], generated: true };
}

function banner(
  c: Colors,
  flags: ListenFlags,
  info: { url: string; inspector: string; secrets: string[]; generated: boolean },
): void {
  const paths = flags.path === undefined ? " (any path)" : "";
  const lines = [`Listening on ${c.bold(info.url)}${paths}, verifying with ${info.secrets.length} secret(s).`];
  lines.push(`Inspector: ${c.bold(info.inspector)}  (open it in your browser)`);
  if (flags.forwardTo) lines.push(`Forwarding each delivery to ${c.bold(flags.forwardTo)}, answering with its answer.`);
  if (flags.status !== undefined) lines.push(`Answering every delivery ${flags.status} (--status).`);
  if (info.generated) {
    lines.push(
      `No ${SECRET_ENV} set: this session verifies with a new secret, ${c.bold(info.secrets[0] ?? "")}`,
      c.dim(`  Sign test deliveries with it:  export ${SECRET_ENV}='${info.secrets[0]}'`),
    );
  }
  lines.push(
    c.dim(`Test it:   ${BIN} send ${info.url} --all   (with the same secret in ${SECRET_ENV})`),
    c.dim(`ColiVara:  expose the port through a tunnel, then ${BIN} register https://<tunnel>/webhooks/colivara`),
    c.dim("           and restart listen with the secret it prints. Ctrl+C stops."),
  );
  out(lines.join("\n"));
}

function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * `colivara-webhooks listen`: verifies, shows and optionally forwards deliveries, and serves
 * the inspector; resolves to the exit code once stopped (Ctrl+C, SIGTERM).
 *
 * @example
 * ```ts
 * const code = await listenCommand({ port: 3000, forwardTo: "http://127.0.0.1:4000/webhooks/colivara" });
 * ```
 */
export async function listenCommand(flags: ListenFlags): Promise<number> {
  if (flags.path !== undefined && !flags.path.startsWith("/")) {
    throw new CliError("usage", `--path must start with "/", got "${flags.path}".`);
  }
  const forwardTo = flags.forwardTo === undefined ? undefined : parseHttpUrl(flags.forwardTo, "--forward-to");
  const { secrets, generated } = await secretsOrFresh(flags);
  const c = colorsFor(process.stdout);
  // Handlers first: a signal that arrives right after the banner must still stop cleanly.
  const stopped = stopSignal();
  const listener = await startListener({
    port: flags.port,
    path: flags.path,
    secret: secrets,
    forwardTo,
    status: flags.status,
    // --json prints the full signature: a line is a delivery `verify` reads back.
    onDelivery: (report, raw) =>
      flags.json ? out(jsonLine({ ...report, headers: showHeaders(raw.headers, "full") })) : printReport(c, report),
  });
  if (flags.json) {
    const generatedSecret = generated ? { secret: secrets[0] } : {};
    out(
      jsonLine({
        listening: listener.url,
        origin: listener.origin,
        inspector: listener.inspectorUrl,
        ...generatedSecret,
      }),
    );
  } else {
    banner(c, flags, { url: listener.url, inspector: listener.inspectorUrl, secrets, generated });
  }
  await stopped;
  await listener.close();
  if (!flags.json) err("Stopped.");
  return EXIT_CODES.ok;
}
