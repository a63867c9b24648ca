import { createInterface } from "node:readline/promises";
import { CliError, EXIT_CODES, parseHttpUrl } from "./errors.js";
import { type Colors, colorsFor, err, jsonLine, out, pad, safe } from "./output.js";
import { API_KEY_ENV, type Registration, registerEndpoint } from "./register.js";
import { readSecretFile, SECRET_ENV } from "./secret.js";

const BIN = "colivara-webhooks";

/** The flags of `register`. */
export interface RegisterFlags {
  apiKey?: string;
  apiKeyFile?: string;
  baseUrl: string;
  yes?: boolean;
  json?: boolean;
}

/**
 * What registering means, said before it happens: ColiVara keeps one endpoint per account.
 *
 * @example
 * ```ts
 * process.stderr.write(`${moveWarning("https://abc.trycloudflare.com/webhooks/colivara")}\n`);
 * ```
 */
export function moveWarning(url: string): string {
  return [
    "ColiVara keeps ONE webhook endpoint per account. Registering moves it:",
    `  from now on every delivery of this account, production's included, goes to ${url}`,
    "  instead of where it goes today; the webhook secret stays the same.",
    "  To move it back, run register again with your production URL.",
  ].join("\n");
}

async function confirmMove(url: string, flags: RegisterFlags): Promise<void> {
  if (flags.yes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      "usage",
      `${moveWarning(url)}\nNot asking on a non-interactive input: pass --yes to move the endpoint from a script.`,
    );
  }
  err(moveWarning(url));
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`Move your account's endpoint to ${url}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new CliError("usage", "Not registered: the endpoint was left where it was.");
  } finally {
    prompt.close();
  }
}

async function apiKeyOf(flags: RegisterFlags): Promise<string> {
  const key = flags.apiKeyFile === undefined ? flags.apiKey : await readSecretFile(flags.apiKeyFile, "API key");
  if (key === undefined || key.trim() === "") {
    throw new CliError(
      "missing_api_key",
      `No ColiVara API key: set ${API_KEY_ENV} or pass --api-key-file <file>. It is the API key of your ColiVara account.`,
    );
  }
  return key;
}

function printRegistration(c: Colors, target: string, registration: Registration): void {
  const secret = registration.webhook_secret;
  out(
    `${c.green("✓")} Registered ${c.bold(safe(target))} with ColiVara: your account's one endpoint now points there.`,
  );
  // ColiVara's strings are printed escaped: a hostile or broken answer cannot clear the
  // screen and draw lines of its own. The secret was checked to be whsec_ and base64.
  out(`  ${pad("app_id", 12)} ${safe(registration.app_id)}`);
  out(`  ${pad("endpoint_id", 12)} ${safe(registration.endpoint_id)}`);
  out();
  out(`Webhook secret ${c.dim("(the same as before a move; keep it private: whoever has it can forge deliveries)")}:`);
  out(`  ${c.bold(secret)}`);
  out();
  out(`Store it where your app reads it, as ${SECRET_ENV}, for example:`);
  out(`  export ${SECRET_ENV}='${secret}'`);
  out(`  or a line ${SECRET_ENV}=${secret} in your .env file (kept out of git) or your host's secret settings.`);
  out();
  out(`Then check the deployed endpoint: ${BIN} send ${target} --all`);
}

/**
 * `colivara-webhooks register`: says what moving the account's one endpoint means, asks
 * (unless `--yes`), registers, and prints the secret. Resolves to the exit code.
 *
 * @example
 * ```ts
 * const code = await registerCommand("https://example.com/webhooks/colivara", { baseUrl: DEFAULT_BASE_URL, yes: true });
 * ```
 */
export async function registerCommand(target: string, flags: RegisterFlags): Promise<number> {
  parseHttpUrl(target, "The endpoint URL");
  parseHttpUrl(flags.baseUrl, "The API base URL (--base-url)");
  const apiKey = await apiKeyOf(flags);
  await confirmMove(target, flags);
  const registration = await registerEndpoint({ url: target, apiKey, baseUrl: flags.baseUrl });
  if (flags.json) {
    out(jsonLine({ url: target, ...registration }, 2));
  } else {
    printRegistration(colorsFor(process.stdout), target, registration);
  }
  return EXIT_CODES.ok;
}
