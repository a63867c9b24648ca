import { STATUS_CODES } from "node:http";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { CliError, EXIT_CODES, parseHttpUrl } from "./errors.js";
import { type DeliveryReport, startListener } from "./listen.js";
import { type Colors, colorsFor, err, out, pad, preview } from "./output.js";
import { API_KEY_ENV, DEFAULT_BASE_URL, registerEndpoint } from "./register.js";
import { generateSecret, resolveSecrets, SECRET_ENV } from "./secret.js";
import {
  DEFAULT_TIMEOUT_SECONDS,
  DELIVERY_KINDS,
  type DeliveryKind,
  type DeliveryResult,
  EVENT_TYPES,
  examplePayload,
  readPayloadFile,
  STALE_SECONDS,
  sendDelivery,
} from "./send.js";

const BIN = "colivara-webhooks";

const EXIT_HELP = `
Exit codes:
  0   success: every delivery got the answer it should
  1   send: the endpoint accepted an attack or rejected a genuine delivery
  2   usage: bad arguments or URL, missing or invalid secret or API key, unreadable payload file
  3   network: server unreachable, no answer in time, or the port to listen on is taken
  4   register: ColiVara's API refused the request or answered something unexpected
  70  internal error (a bug: please report it)

Colours only on a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.`;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || parsed <= 0) throw new InvalidArgumentError("must be a number of seconds > 0.");
  return parsed;
}

const KIND_LABEL: Record<DeliveryKind, string> = {
  valid: "genuine delivery",
  tamper: "tampered delivery",
  stale: `stale delivery (signed ${STALE_SECONDS / 60} minutes ago)`,
  replay: "replayed delivery (the same delivery sent twice)",
};

function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ""}`.trim();
}

function printResult(c: Colors, result: DeliveryResult): void {
  out(`${c.bold(`● ${KIND_LABEL[result.delivery]}`)} ${c.dim(`(${result.eventType}, ${result.id})`)}`);
  if (result.tampered) out(`  ${pad("changed", 9)} ${result.tampered} ${c.dim("(after signing)")}`);
  const status =
    result.first && result.first !== result.response
      ? `${statusText(result.first.status)}, then ${statusText(result.status)}`
      : statusText(result.status);
  out(`  ${pad("status", 9)} ${status}`);
  out(`  ${pad("response", 9)} ${result.response.body === "" ? c.dim("(empty)") : preview(result.response.body)}`);
  const mark = result.verdict === "pass" ? c.green("✓") : c.red("✗");
  const text = result.verdict === "pass" ? result.explanation : c.red(result.explanation);
  out(`  ${pad("verdict", 9)} ${mark} ${text}`);
  out();
}

function time(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

function summary(event: NonNullable<DeliveryReport["event"]>): string {
  switch (event.type) {
    case "upsert.success":
      return `${event.name} stored in ${event.collection_name} (${event.num_pages} pages, document ${event.id})`;
    case "upsert.fail":
      return `${event.name} failed: ${event.error}`;
    case "unknown":
      return `an event type this version does not know: ${event.originalType}`;
  }
}

function printReport(c: Colors, report: DeliveryReport): void {
  const indent = " ".repeat(10);
  const where = c.dim(`${report.method} ${report.path}${report.id ? `  ${report.id}` : ""}`);
  if (report.verified && report.event) {
    out(`${time(report.receivedAt)}  ${c.green("✓")} ${report.status}  ${c.bold(report.event.type)}  ${where}`);
    out(`${indent}${summary(report.event)}`);
    const json = JSON.stringify(report.event.type === "unknown" ? report.event.payload : report.event, null, 2);
    for (const line of json.split("\n")) out(`${indent}${c.dim(line)}`);
  } else if (report.duplicate) {
    out(`${time(report.receivedAt)}  ${c.yellow("↺")} ${report.status}  ${c.bold("duplicate")}  ${where}`);
    out(`${indent}already handled: acknowledged, not handled again`);
  } else {
    const code = report.error?.code ?? "rejected";
    out(`${time(report.receivedAt)}  ${c.red("✗")} ${report.status}  ${c.bold(c.red(code))}  ${where}`);
    if (report.error?.message) out(`${indent}${report.error.message}`);
  }
}

interface SendFlags {
  event: (typeof EVENT_TYPES)[number];
  payload?: string;
  secret?: string;
  tamper?: boolean;
  stale?: boolean;
  replay?: boolean;
  all?: boolean;
  timeout: number;
  json?: boolean;
}

async function sendCommand(target: string, flags: SendFlags): Promise<number> {
  const url = parseHttpUrl(target, "The endpoint URL");
  const [secret] = resolveSecrets(flags.secret);
  const body =
    flags.payload === undefined ? JSON.stringify(examplePayload(flags.event)) : await readPayloadFile(flags.payload);
  const selected = flags.all ? DELIVERY_KINDS : DELIVERY_KINDS.filter((kind) => kind !== "valid" && flags[kind]);
  const kinds = selected.length > 0 ? selected : (["valid"] as const);
  const c = colorsFor(process.stdout);
  if (!flags.json) out(c.dim(`POST ${url.href}\n`));
  const results: DeliveryResult[] = [];
  for (const kind of kinds) {
    const result = await sendDelivery({ url, secret, kind, payload: body, timeoutSeconds: flags.timeout });
    results.push(result);
    if (!flags.json) printResult(c, result);
  }
  const failed = results.filter((r) => r.verdict === "fail");
  if (flags.json) {
    out(JSON.stringify({ url: url.href, ok: failed.length === 0, results }, null, 2));
  } else if (failed.length === 0) {
    out(c.green(`${results.length === 1 ? "The check" : `All ${results.length} checks`} passed.`));
  } else {
    const attack = failed.some((r) => r.delivery !== "valid" && r.outcome === "accepted");
    out(
      c.red(
        `${failed.length} of ${results.length} check${results.length === 1 ? "" : "s"} failed${attack ? ": the endpoint accepted an attack" : ""}.`,
      ),
    );
  }
  return failed.length === 0 ? EXIT_CODES.ok : EXIT_CODES.verdict;
}

interface ListenFlags {
  port: number;
  host: string;
  path?: string;
  secret?: string;
  json?: boolean;
}

async function listenCommand(flags: ListenFlags): Promise<number> {
  const secrets = resolveSecrets(flags.secret);
  if (flags.path !== undefined && !flags.path.startsWith("/")) {
    throw new CliError("usage", `--path must start with "/", got "${flags.path}".`);
  }
  const c = colorsFor(process.stdout);
  // Handlers first: a signal that arrives right after the banner must still stop cleanly.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const listener = await startListener({
    port: flags.port,
    host: flags.host,
    path: flags.path,
    secret: secrets,
    onDelivery: (report) => (flags.json ? out(JSON.stringify(report)) : printReport(c, report)),
  });
  if (flags.json) {
    out(JSON.stringify({ listening: listener.url, origin: listener.origin }));
  } else {
    const paths = flags.path === undefined ? " (any path)" : "";
    out(
      [
        `Listening on ${c.bold(listener.url)}${paths}, verifying with ${secrets.length} secret(s).`,
        c.dim(`Test it:   ${BIN} send ${listener.url} --all   (with the same secret)`),
        c.dim(`ColiVara:  expose the port through a tunnel, then ${BIN} register https://<tunnel>/webhooks/colivara`),
        c.dim("           and restart listen with the secret it prints. Ctrl+C stops."),
      ].join("\n"),
    );
  }
  await stopped;
  await listener.close();
  if (!flags.json) err("Stopped.");
  return EXIT_CODES.ok;
}

interface RegisterFlags {
  apiKey?: string;
  baseUrl: string;
  json?: boolean;
}

async function registerCommand(target: string, flags: RegisterFlags): Promise<number> {
  parseHttpUrl(target, "The endpoint URL");
  parseHttpUrl(flags.baseUrl, "The API base URL (--base-url)");
  if (flags.apiKey === undefined || flags.apiKey.trim() === "") {
    throw new CliError(
      "missing_api_key",
      `No ColiVara API key: set ${API_KEY_ENV} (or pass --api-key). It is the API key of your ColiVara account.`,
    );
  }
  const registration = await registerEndpoint({ url: target, apiKey: flags.apiKey, baseUrl: flags.baseUrl });
  if (flags.json) {
    out(JSON.stringify({ url: target, ...registration }, null, 2));
    return EXIT_CODES.ok;
  }
  const c = colorsFor(process.stdout);
  const secret = registration.webhook_secret;
  out(`${c.green("✓")} Registered ${c.bold(target)} with ColiVara.`);
  out(`  ${pad("app_id", 12)} ${registration.app_id}`);
  out(`  ${pad("endpoint_id", 12)} ${registration.endpoint_id}`);
  out();
  out(`Webhook secret ${c.dim("(keep it private: whoever has it can forge deliveries)")}:`);
  out(`  ${c.bold(secret)}`);
  out();
  out(`Store it where your app reads it, as ${SECRET_ENV}, for example:`);
  out(`  export ${SECRET_ENV}='${secret}'`);
  out(`  or a line ${SECRET_ENV}=${secret} in your .env file (kept out of git) or your host's secret settings.`);
  out();
  out(`Then check the deployed endpoint: ${BIN} send ${target} --all`);
  return EXIT_CODES.ok;
}

/**
 * Builds the `colivara-webhooks` command line. Actions store their exit code in `result`.
 *
 * @example
 * ```ts
 * const result = { code: 0 };
 * await createProgram(result).parseAsync(["secret"], { from: "user" });
 * ```
 */
export function createProgram(result: { code: number }): Command {
  const program = new Command(BIN)
    .description("Test and wire up ColiVara webhooks (Svix / Standard Webhooks) from the command line.")
    .version(pkg.version, "-v, --version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .showHelpAfterError(`(run ${BIN} --help for usage)`)
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ ${BIN} secret
  $ ${BIN} listen --port 3000
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara --all
  $ ${BIN} register https://example.com/webhooks/colivara
${EXIT_HELP}`,
    );

  program
    .command("secret")
    .description("Print a new random webhook secret (whsec_ + 24 random bytes, base64) for local testing.")
    .option("--json", 'print {"secret": "whsec_…"}')
    .addHelpText(
      "after",
      `
Example:
  $ export ${SECRET_ENV}=$(${BIN} secret)

For deliveries from ColiVara, use the secret ColiVara gives you (${BIN} register prints it).`,
    )
    .action((flags: { json?: boolean }) => {
      const secret = generateSecret();
      out(flags.json ? JSON.stringify({ secret }) : secret);
      result.code = EXIT_CODES.ok;
    });

  program
    .command("send")
    .description(
      "POST a realistic signed delivery to your endpoint and print the answer; --tamper, --stale, --replay and --all send the attacks it must reject.",
    )
    .argument("<url>", "your webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/colivara")
    .addOption(new Option("--event <type>", "event to send").choices(EVENT_TYPES).default("upsert.success"))
    .addOption(
      new Option("--payload <file>", "send this JSON file's exact bytes as the body instead").conflicts("event"),
    )
    .addOption(
      new Option("--secret <whsec>", "the endpoint's webhook secret (several: comma-separated; the first signs)").env(
        SECRET_ENV,
      ),
    )
    .option("--tamper", "attack: change one byte of the body after signing (must be rejected, 401)")
    .option("--stale", `attack: sign ${STALE_SECONDS / 60} minutes in the past (must be rejected, 401)`)
    .option(
      "--replay",
      'attack: send the same signed delivery twice (the second must be rejected or answer 200 {"duplicate":true})',
    )
    .option("--all", "send a genuine delivery, then each attack")
    .addOption(
      new Option("--timeout <seconds>", "how long to wait for each answer")
        .argParser(seconds)
        .default(DEFAULT_TIMEOUT_SECONDS),
    )
    .option("--json", "print the results as JSON")
    .addHelpText(
      "after",
      `
Without an attack flag, one genuine delivery is sent. Attack flags combine; --all sends a
genuine delivery first, so a wrong secret is not mistaken for protection.

Examples:
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara
  $ ${BIN} send https://example.com/webhooks/colivara --event upsert.fail
  $ ${BIN} send https://example.com/webhooks/colivara --all --json
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara --payload event.json --tamper

Exit code 1 when the endpoint accepted an attack or rejected the genuine delivery.`,
    )
    .action(async (target: string, flags: SendFlags) => {
      result.code = await sendCommand(target, flags);
    });

  program
    .command("listen")
    .description("Start a local receiver that verifies each delivery and pretty-prints it.")
    .addOption(
      new Option("--port <port>", "port to listen on (0: any free port)")
        .argParser(integer("--port", 0, 65535))
        .default(3000),
    )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--path <path>", "only accept deliveries on this path (default: any path)")
    .addOption(
      new Option("--secret <whsec>", "the endpoint's webhook secret (several: comma- or space-separated)").env(
        SECRET_ENV,
      ),
    )
    .option("--json", "print one JSON line per delivery")
    .addHelpText(
      "after",
      `
Verified deliveries answer 200; rejected ones the status and {"error":{"code","message"}} a
deployed endpoint would answer. Ctrl+C stops.

Examples:
  $ ${SECRET_ENV}=$(${BIN} secret) ${BIN} listen --port 3000
  $ ${BIN} listen --port 3000 --secret whsec_… --path /webhooks/colivara`,
    )
    .action(async (flags: ListenFlags) => {
      result.code = await listenCommand(flags);
    });

  program
    .command("register")
    .description(
      "Register your endpoint URL with ColiVara (POST /v1/webhook/, as the SDKs' add_webhook) and print its webhook secret.",
    )
    .argument("<url>", "your endpoint's public https URL")
    .addOption(
      new Option("--api-key <key>", "your ColiVara API key (prefer the environment variable)").env(API_KEY_ENV),
    )
    .option("--base-url <url>", "ColiVara API base URL", DEFAULT_BASE_URL)
    .option("--json", "print ColiVara's answer as JSON")
    .addHelpText(
      "after",
      `
Registering again replaces the URL of your one endpoint.

Example:
  $ ${API_KEY_ENV}=… ${BIN} register https://example.com/webhooks/colivara`,
    )
    .action(async (target: string, flags: RegisterFlags) => {
      result.code = await registerCommand(target, flags);
    });

  return program;
}

/**
 * Runs the command line with `argv` (as in `process.argv`) and resolves to the exit code.
 * Errors are printed (as `{"error":{"code","message"}}` on stdout with `--json`), never thrown.
 *
 * @example
 * ```ts
 * process.exitCode = await run(process.argv);
 * ```
 */
export async function run(argv: readonly string[]): Promise<number> {
  const result = { code: EXIT_CODES.ok as number };
  const json = argv.includes("--json");
  try {
    await createProgram(result).parseAsync([...argv]);
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; everything else commander rejects is a usage error
      // (commander has already printed it on stderr).
      if (error.exitCode === 0) return EXIT_CODES.ok;
      if (json) out(JSON.stringify({ error: { code: "usage", message: error.message.replace(/^error: /, "") } }));
      return EXIT_CODES.usage;
    }
    if (error instanceof CliError) {
      if (json) out(JSON.stringify({ error: { code: error.code, message: error.message } }));
      const c = colorsFor(process.stderr);
      err(`${c.red("error:")} ${error.message}`);
      return error.exitCode;
    }
    err(
      `Unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_CODES.internal;
  }
}
