import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { CliError, EXIT_CODES } from "./errors.js";
import { type ListenFlags, listenCommand } from "./listen-command.js";
import { colorsFor, err, jsonLine, out, safe } from "./output.js";
import { API_KEY_ENV, DEFAULT_BASE_URL } from "./register.js";
import { type RegisterFlags, registerCommand } from "./register-command.js";
import { generateSecret, SECRET_ENV } from "./secret.js";
import { DEFAULT_TIMEOUT_SECONDS, EVENT_TYPES, STALE_SECONDS } from "./send.js";
import { collectHeader, type SendFlags, sendCommand } from "./send-command.js";
import { type VerifyFlags, verifyCommand } from "./verify-command.js";

const BIN = "colivara-webhooks";

const EXIT_HELP = `
Exit codes:
  0   success: every delivery got the answer it should
  1   send: the endpoint accepted an attack or rejected a genuine delivery, or a check was
      inconclusive (endpoint not found); verify: the delivery does not verify
  2   usage: bad arguments or URL, missing or invalid secret or API key, unreadable file,
      register not confirmed
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

function secretOption(): Option {
  return new Option("--secret <whsec>", "webhook secret; prefer the environment or --secret-file").env(SECRET_ENV);
}

function warnIfOnCommandLine(command: Command, option: string, warning: string): void {
  if (command.getOptionValueSource(option) === "cli") err(`${colorsFor(process.stderr).yellow("note:")} ${warning}`);
}

function warnIfSecretOnCommandLine(command: Command): void {
  warnIfOnCommandLine(
    command,
    "secret",
    `--secret on the command line shows in ps and shell history; prefer ${SECRET_ENV} or --secret-file.`,
  );
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || parsed <= 0) throw new InvalidArgumentError("must be a number of seconds > 0.");
  return parsed;
}

/** `secret`: a fresh whsec_ secret for local testing. */
function addSecretCommand(program: Command, result: { code: number }): void {
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
}

/** `send`: a genuine signed delivery, then the attacks the endpoint must reject. */
function addSendCommand(program: Command, result: { code: number }): void {
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
    .addOption(secretOption())
    .option("--secret-file <file>", "read the secret(s) from this file")
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
    .option("--header <header>", 'add a header to every request, "Name: value" (repeatable)', collectHeader)
    .option("--json", "print the results as JSON")
    .addHelpText(
      "after",
      `
A genuine delivery is always sent first: an attack's rejection only counts ("passed") when
the same URL accepted the genuine one in the same run; otherwise it is inconclusive, as is
any 404 or 405 (endpoint not found). A timeout is a failed row; the run goes on.
Several secrets (comma-separated, as during a rotation): the first signs.

Examples:
  $ export ${SECRET_ENV}=whsec_…    # or --secret-file <file>
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara
  $ ${BIN} send https://example.com/webhooks/colivara --event upsert.fail
  $ ${BIN} send https://example.com/webhooks/colivara --all --json
  $ ${BIN} send https://preview.example.com/api/webhooks --all --header "x-vercel-protection-bypass: <token>"
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara --payload event.json --tamper

Exit code 1 when a check failed or was inconclusive, 3 when a request timed out.`,
    )
    .action(async (target: string, flags: SendFlags, command: Command) => {
      warnIfSecretOnCommandLine(command);
      result.code = await sendCommand(target, flags);
    });
}

/** `verify`: why a pasted or saved delivery does or does not verify. */
function addVerifyCommand(program: Command, result: { code: number }): void {
  program
    .command("verify")
    .description("Check a delivery you pasted or saved (headers and exact body) and say why it fails.")
    .argument(
      "[file]",
      'a saved delivery {"headers": {…}, "body": "…"}, or headers, a blank line and the body; default: standard input',
    )
    .addOption(secretOption())
    .option("--secret-file <file>", "read the secret(s) from this file")
    .option("--json", "print the verdict as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ ${BIN} verify delivery.json
  $ pbpaste | ${BIN} verify --secret-file .colivara-secret

Exit code 0 when it verifies, 1 when not (with the reason).`,
    )
    .action(async (file: string | undefined, flags: VerifyFlags, command: Command) => {
      warnIfSecretOnCommandLine(command);
      result.code = await verifyCommand(file, flags);
    });
}

/** `listen`: the local receiver and its inspector page. */
function addListenCommand(program: Command, result: { code: number }): void {
  program
    .command("listen")
    .description(
      "Receive deliveries on 127.0.0.1: verify each one, show it in the terminal and in the inspector page, optionally forward it to your app.",
    )
    .addOption(
      new Option("--port <port>", "port to listen on, on 127.0.0.1 (0: any free port)")
        .argParser(integer("--port", 0, 65535))
        .default(3000),
    )
    .option("--path <path>", "only accept deliveries on this path (default: any path)")
    .addOption(secretOption())
    .option("--secret-file <file>", "read the secret(s) from this file")
    .option("--forward-to <url>", "pass each delivery's exact bytes and headers to your app, answer with its answer")
    .addOption(
      new Option("--status <code>", "answer every delivery with this status (to watch ColiVara retry)")
        .argParser(integer("--status", 200, 599))
        .conflicts("forwardTo"),
    )
    .option("--json", "print one JSON line per delivery")
    .addHelpText(
      "after",
      `
Listens on 127.0.0.1 only. The inspector (printed at start, /inspector) shows every delivery
of the session live: verdict and reason, headers, body, your app's answer, a timeline, and
replays one. Without --forward-to or --status, verified deliveries answer 200; rejected ones
the status and {"error":{"code","message"}} a deployed endpoint would answer. Without a
secret, a new one is generated for the session and printed. Ctrl+C stops.

Examples:
  $ ${BIN} listen --port 3000
  $ ${BIN} listen --port 3000 --forward-to http://127.0.0.1:4000/webhooks/colivara
  $ ${SECRET_ENV}=… ${BIN} listen --port 3000 --status 503
  $ ${BIN} listen --secret-file .colivara-secret --path /webhooks/colivara`,
    )
    .action(async (flags: ListenFlags, command: Command) => {
      warnIfSecretOnCommandLine(command);
      result.code = await listenCommand(flags);
    });
}

/** `register`: points the account's one endpoint at a URL, asking first. */
function addRegisterCommand(program: Command, result: { code: number }): void {
  program
    .command("register")
    .description(
      "Point your ColiVara account's one webhook endpoint at a URL (POST /v1/webhook/, as the SDKs' add_webhook) and print its webhook secret.",
    )
    .argument("<url>", "your endpoint's public https URL")
    .addOption(new Option("--api-key <key>", "your ColiVara API key").env(API_KEY_ENV))
    .option("--api-key-file <file>", "read the API key from this file")
    .option("--base-url <url>", "API base URL", DEFAULT_BASE_URL)
    .option("-y, --yes", "move the endpoint without asking (for scripts)")
    .option("--json", "print ColiVara's answer as JSON")
    .addHelpText(
      "after",
      `
ColiVara keeps ONE webhook endpoint per account: registering moves it, so pointing it at a
dev URL takes deliveries away from production. The secret stays the same. register says so
and asks before moving it; without a terminal it refuses unless --yes is given.

Examples:
  $ ${API_KEY_ENV}=… ${BIN} register https://example.com/webhooks/colivara
  $ ${BIN} register https://example.com/webhooks/colivara --api-key-file ~/.colivara-api-key --yes`,
    )
    .action(async (target: string, flags: RegisterFlags, command: Command) => {
      warnIfOnCommandLine(
        command,
        "apiKey",
        `--api-key on the command line shows in ps and shell history; prefer ${API_KEY_ENV} or --api-key-file.`,
      );
      result.code = await registerCommand(target, flags);
    });
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
  $ ${BIN} listen --port 3000 --forward-to http://127.0.0.1:4000/webhooks/colivara
  $ ${BIN} send http://127.0.0.1:3000/webhooks/colivara --all
  $ ${BIN} verify delivery.json
  $ ${BIN} register https://example.com/webhooks/colivara
${EXIT_HELP}`,
    );

  addSecretCommand(program, result);
  addSendCommand(program, result);
  addVerifyCommand(program, result);
  addListenCommand(program, result);
  addRegisterCommand(program, result);

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
      if (json) out(jsonLine({ error: { code: "usage", message: error.message.replace(/^error: /, "") } }));
      return EXIT_CODES.usage;
    }
    if (error instanceof CliError) {
      if (json) out(jsonLine({ error: { code: error.code, message: error.message } }));
      const c = colorsFor(process.stderr);
      // A message can quote what a server answered (register's `detail`): escaped like all received text.
      err(`${c.red("error:")} ${safe(error.message)}`);
      return error.exitCode;
    }
    err(
      `Unexpected error (please report it): ${safe(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
    );
    return EXIT_CODES.internal;
  }
}
