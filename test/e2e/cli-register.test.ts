// `colivara-webhooks register` against a local node:http server standing in for ColiVara's
// API: the real request code path over real HTTP, for 200, 400, 401, 5xx and no server.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier } from "@colivara/webhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newSecret } from "../conformance/deliveries.js";
import {
  cleanEnv,
  cliPath,
  closedPort,
  EXIT,
  json,
  plain,
  type RecordedRequest,
  repoRoot,
  runCli,
  startExample,
  startServer,
  type TestServer,
} from "./cli-support.js";

const API_KEY = "cv_test_4f8a1d2e9c";

/** Runs a shell command on a pseudo-terminal (script(1)) with `input` typed into it. */
function inTerminal(
  command: string,
  input: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: repoRoot, env: cleanEnv(env) });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}
const ENDPOINT = "https://example.com/webhooks/colivara";

describe("colivara-webhooks register, against a stand-in ColiVara API", () => {
  let api: TestServer;
  // What the stand-in answers next; each test sets it.
  let answer: (request: RecordedRequest) => { status: number; body: unknown };
  const issued = newSecret();

  beforeAll(async () => {
    api = await startServer((request, res) => {
      const { status, body } = answer(request);
      if (typeof body === "string") {
        res.writeHead(status, { "content-type": "text/html" });
        res.end(body);
      } else {
        json(res, status, body);
      }
    });
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
    answer = (request) =>
      request.headers.authorization === `Bearer ${API_KEY}`
        ? { status: 200, body: { app_id: "app_2x9KQ", endpoint_id: "ep_7Hc1", webhook_secret: issued } }
        : { status: 401, body: { detail: "Invalid token." } };
  });

  const register = (args: string[], env: Record<string, string | undefined> = { COLIVARA_API_KEY: API_KEY }) =>
    runCli(["register", ENDPOINT, "--base-url", api.origin, "--yes", ...args], env);

  it("POSTs {url} to /v1/webhook/ with the API key as a Bearer token, and prints the secret with how to store it", async () => {
    const run = await register([]);
    expect(run.code).toBe(EXIT.ok);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/webhook/");
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({ url: ENDPOINT });

    const out = plain(run.stdout);
    expect(out).toContain(`✓ Registered ${ENDPOINT} with ColiVara: your account's one endpoint now points there.`);
    expect(out).toMatch(/app_id\s+app_2x9KQ/);
    expect(out).toMatch(/endpoint_id\s+ep_7Hc1/);
    expect(out).toContain(`  ${issued}\n`);
    expect(out).toContain(`export COLIVARA_WEBHOOK_SECRET='${issued}'`);
    expect(out).toContain(".env");
    expect(out).toContain(`colivara-webhooks send ${ENDPOINT} --all`);
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
  });

  it("--api-key and --json", async () => {
    const run = await register(["--api-key", API_KEY, "--json"], {});
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual({
      url: ENDPOINT,
      app_id: "app_2x9KQ",
      endpoint_id: "ep_7Hc1",
      webhook_secret: issued,
    });
  });

  it("a base URL with a path and a trailing slash keeps its path", async () => {
    const run = await runCli(["register", ENDPOINT, "--base-url", `${api.origin}/proxy/`, "--yes"], {
      COLIVARA_API_KEY: API_KEY,
    });
    expect(run.code).toBe(EXIT.ok);
    expect(api.requests[0]?.url).toBe("/proxy/v1/webhook/");
  });

  it("the secret it prints verifies deliveries: register, configure the example with it, send --all", async () => {
    const run = await register(["--json"]);
    const { webhook_secret } = JSON.parse(run.stdout) as { webhook_secret: string };
    expect(createVerifier({ secret: webhook_secret }).engine).toBe("node");
    const example = await startExample(webhook_secret);
    try {
      const sent = await runCli(["send", example.url, "--all"], { COLIVARA_WEBHOOK_SECRET: webhook_secret });
      expect(sent.code).toBe(EXIT.ok);
    } finally {
      await example.stop();
    }
  });

  it('a 400 {"detail"} exits 4 with ColiVara\'s reason', async () => {
    answer = () => ({ status: 400, body: { detail: "Enter a valid URL." } });
    const run = await register([]);
    expect(run.code).toBe(EXIT.api);
    expect(run.stdout).toBe("");
    expect(plain(run.stderr)).toBe(`error: ColiVara refused to register ${ENDPOINT} (400): Enter a valid URL.\n`);
  });

  it("a 400 with --json prints the error as JSON", async () => {
    answer = () => ({ status: 400, body: { detail: "Enter a valid URL." } });
    const run = await register(["--json"]);
    expect(run.code).toBe(EXIT.api);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: "api_rejected", message: `ColiVara refused to register ${ENDPOINT} (400): Enter a valid URL.` },
    });
  });

  it("a refused API key exits 4 and says which setting to check, without echoing the key", async () => {
    const run = await register([], { COLIVARA_API_KEY: "cv_wrong_key_123" });
    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toContain("ColiVara refused the API key (401: Invalid token.)");
    expect(run.stderr).toContain("--api-key-file");
    expect(run.stderr).toContain("COLIVARA_API_KEY");
    expect(run.stderr).not.toContain("cv_wrong_key_123");
  });

  it("a server error or an unexpected answer exits 4, never printing what might be a secret", async () => {
    answer = () => ({ status: 502, body: "<html>Bad gateway</html>" });
    const failed = await register([]);
    expect(failed.code).toBe(EXIT.api);
    expect(failed.stderr).toContain("ColiVara answered 502");
    expect(failed.stderr).toContain("Bad gateway");

    answer = () => ({ status: 200, body: { webhook_secret: issued } });
    const odd = await register(["--json"]);
    expect(odd.code).toBe(EXIT.api);
    const error = JSON.parse(odd.stdout).error;
    expect(error.code).toBe("api_error");
    expect(error.message).toContain('expected {"app_id","endpoint_id","webhook_secret"}');
    expect(odd.stdout + odd.stderr).not.toContain(issued);
  });

  it("without --yes and without a terminal, refuses and says what registering would do; sends nothing", async () => {
    const run = await runCli(["register", ENDPOINT, "--base-url", api.origin], { COLIVARA_API_KEY: API_KEY });
    expect(run.code).toBe(EXIT.usage);
    const said = plain(run.stderr);
    expect(said).toContain("ColiVara keeps ONE webhook endpoint per account");
    expect(said).toContain(`goes to ${ENDPOINT}`);
    expect(said).toContain("the webhook secret stays the same");
    expect(said).toContain("pass --yes");
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    ["y", EXIT.ok, 1],
    ["n", EXIT.usage, 0],
  ])("on a terminal it asks first; answering %s exits %i and sends %i request(s)", async (answer, code, sent) => {
    // util-linux's script(1) gives the CLI a real terminal; the answer is typed into it.
    const command = [process.execPath, cliPath, "register", ENDPOINT, "--base-url", api.origin].join(" ");
    const run = await inTerminal(command, `${answer}\n`, { COLIVARA_API_KEY: API_KEY });
    expect(run.code).toBe(code);
    expect(plain(run.output)).toContain(`Move your account's endpoint to ${ENDPOINT}? [y/N]`);
    expect(plain(run.output)).toContain("ColiVara keeps ONE webhook endpoint per account");
    expect(api.requests).toHaveLength(sent);
  });

  it("says, when it succeeds, that the account's one endpoint now points there", async () => {
    const run = await register([]);
    expect(plain(run.stdout)).toContain("your account's one endpoint now points there");
  });

  it("--api-key-file reads the key from a file; --api-key on argv works but warns", async () => {
    const dir = await mkdtemp(join(tmpdir(), "colivara-cli-"));
    const file = join(dir, "api-key");
    await writeFile(file, `${API_KEY}\n`);
    const fromFile = await register(["--api-key-file", file], {});
    expect(fromFile.code).toBe(EXIT.ok);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fromFile.stderr).toBe("");
    const fromArgv = await register(["--api-key", API_KEY], {});
    expect(fromArgv.code).toBe(EXIT.ok);
    expect(plain(fromArgv.stderr)).toContain("note: --api-key on the command line shows in ps");
    expect(fromArgv.stderr).not.toContain(API_KEY);
  });

  it("a 422 validation error exits 4 and names the field and ColiVara's reason", async () => {
    answer = () => ({
      status: 422,
      body: { detail: [{ type: "url_parsing", loc: ["body", "url"], msg: "Input should be a valid URL" }] },
    });
    const run = await register(["--json"]);
    expect(run.code).toBe(EXIT.api);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe("api_rejected");
    expect(error.message).toContain("ColiVara found the request invalid (422): url: Input should be a valid URL.");
  });

  it("usage errors exit 2 and send nothing: missing API key, bad URL, bad base URL", async () => {
    const noKey = await register([], {});
    expect(noKey.code).toBe(EXIT.usage);
    expect(noKey.stderr).toContain("No ColiVara API key: set COLIVARA_API_KEY or pass --api-key-file <file>");
    const badUrl = await runCli(["register", "example.com/hook", "--base-url", api.origin, "--yes"], {
      COLIVARA_API_KEY: API_KEY,
    });
    expect(badUrl.code).toBe(EXIT.usage);
    expect(badUrl.stderr).toContain(
      'The endpoint URL must be an absolute http:// or https:// URL, got "example.com/hook"',
    );
    const badBase = await runCli(["register", ENDPOINT, "--base-url", "api.colivara.com", "--yes"], {
      COLIVARA_API_KEY: API_KEY,
    });
    expect(badBase.code).toBe(EXIT.usage);
    expect(badBase.stderr).toContain("The API base URL (--base-url) must be an absolute http:// or https:// URL");
    expect(api.requests).toHaveLength(0);
  });
});

describe("colivara-webhooks register, no API server", () => {
  it("an unreachable base URL exits 3 with connection refused", async () => {
    const port = await closedPort();
    const run = await runCli(["register", ENDPOINT, "--base-url", `http://127.0.0.1:${port}`, "--yes"], {
      COLIVARA_API_KEY: API_KEY,
    });
    expect(run.code).toBe(EXIT.network);
    expect(run.stderr).toContain(`Could not reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });

  it("defaults to https://api.colivara.com (shown in --help)", async () => {
    const run = await runCli(["register", "--help"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('(default: "https://api.colivara.com")');
    expect(run.stdout).toContain("(env: COLIVARA_API_KEY)");
  });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("colivara-webhooks register, against a hostile or broken API", () => {
  let api: TestServer;
  let answer: () => { status: number; body: unknown };
  const issued = newSecret();

  beforeAll(async () => {
    api = await startServer((_, res) => {
      const { status, body } = answer();
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const register = (args: string[] = [], env: Record<string, string | undefined> = { COLIVARA_API_KEY: API_KEY }) =>
    runCli(["register", ENDPOINT, "--base-url", api.origin, "--yes", ...args], env);

  it("prints ids holding escape sequences as text: no cleared screen, no drawn line", async () => {
    const forged = `\u001b[2J\u001b[H\u001b[32m✓ Registered\u001b[0m secret whsec_forged\r`;
    answer = () => ({
      status: 200,
      body: { app_id: forged, endpoint_id: "ep_\u009b2J\u202e", webhook_secret: issued },
    });
    const run = await register();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).not.toMatch(UNSAFE);
    expect(run.stdout).toContain("\\x1b[2J\\x1b[H\\x1b[32m✓ Registered\\x1b[0m secret whsec_forged\\x0d");
    expect(run.stdout).toContain("ep_\\x9b2J\\u202e");
    const json = await register(["--json"]);
    expect(json.stdout).not.toMatch(UNSAFE);
    expect(JSON.parse(json.stdout).app_id).toBe(forged);
  });

  it("refuses a webhook_secret that is not a whsec_ secret, without printing it; exit 4", async () => {
    answer = () => ({ status: 200, body: { app_id: "a", endpoint_id: "e", webhook_secret: `${issued}\u001b[2J` } });
    const run = await register();
    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toContain("holds a webhook_secret that is not a whsec_ secret");
    expect(run.stdout + run.stderr).not.toContain(issued);
    expect(run.stdout + run.stderr).not.toMatch(UNSAFE);
  });

  it("escapes ColiVara's detail in an error", async () => {
    answer = () => ({ status: 400, body: { detail: "Error adding webhook: \u001b[2J\u001b]0;pwned\u0007" } });
    const run = await register();
    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toContain("Error adding webhook: \\x1b[2J\\x1b]0;pwned\\x07");
    expect(run.stderr).not.toMatch(UNSAFE);
  });

  it("stops reading an answer over 64 KiB; exit 4 with a clear message", async () => {
    answer = () => ({ status: 200, body: `{"detail":"${"x".repeat(4 * 1024 * 1024)}"}` });
    const run = await register();
    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toContain("answered 200 with more than 64 KiB");
    expect(run.stderr).not.toContain("Unexpected error");
  });

  it("an API key file over 64 KiB, or a key HTTP cannot carry, exits 2 before any request", async () => {
    api.requests.length = 0;
    const dir = await mkdtemp(join(tmpdir(), "colivara-cli-"));
    const file = join(dir, "api-key");
    await writeFile(file, "k".repeat(1024 * 1024));
    const big = await register(["--api-key-file", file], {});
    expect(big.code).toBe(EXIT.usage);
    expect(big.stderr).toContain(`The API key file ${file} holds more than 64 KiB`);
    const odd = await register([], { COLIVARA_API_KEY: "cv_“smart”" });
    expect(odd.code).toBe(EXIT.usage);
    expect(odd.stderr).toContain("The API key holds a space or a character an HTTP header cannot carry");
    expect(odd.stderr).not.toContain("cv_");
    expect(api.requests).toHaveLength(0);
  });
});
