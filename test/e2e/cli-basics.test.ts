// `colivara-webhooks secret`, --help on every command, --version, and colours only when asked.
import { readFileSync } from "node:fs";
import { createVerifier } from "@colivara/webhooks";
import { signWebhook, upsertSuccessEvent } from "@colivara/webhooks/testing";
import { describe, expect, it } from "vitest";
import { EXIT, runCli } from "./cli-support.js";

const pkg = JSON.parse(readFileSync(new URL("../../packages/cli/package.json", import.meta.url), "utf8"));

describe("colivara-webhooks secret", () => {
  it("prints a whsec_ secret of 24 random bytes, that the real verifier accepts", async () => {
    const run = await runCli(["secret"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe("");
    const secret = run.stdout.trim();
    expect(run.stdout).toBe(`${secret}\n`);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    const { body, headers } = signWebhook({ secret, payload: upsertSuccessEvent() });
    const verified = await createVerifier({ secret }).verify(body, headers);
    expect(verified.event.type).toBe("upsert.success");
  });

  it("--json, and a different secret each time", async () => {
    const [a, b] = await Promise.all([runCli(["secret", "--json"]), runCli(["secret", "--json"])]);
    const first = JSON.parse(a.stdout).secret;
    const second = JSON.parse(b.stdout).secret;
    expect(first).toMatch(/^whsec_/);
    expect(first).not.toBe(second);
  });
});

describe("--help everywhere", () => {
  it("the program lists every command and the exit codes", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("Usage: colivara-webhooks [options] [command]");
    for (const command of [
      "secret",
      "send [options] <url>",
      "verify [options] [file]",
      "listen [options]",
      "register [options] <url>",
    ]) {
      expect(run.stdout).toContain(command);
    }
    expect(run.stdout).toContain("Exit codes:");
    expect(run.stdout).toMatch(/1 +send: the endpoint accepted an attack/);
  });

  it.each([
    ["secret", ["--json"]],
    [
      "send",
      [
        "--event <type>",
        "--payload <file>",
        "--secret <whsec>",
        "--tamper",
        "--stale",
        "--replay",
        "--all",
        "--header <header>",
        "--secret-file <file>",
        "--json",
        "(env: COLIVARA_WEBHOOK_SECRET)",
      ],
    ],
    [
      "listen",
      [
        "--port <port>",
        "--path <path>",
        "--secret <whsec>",
        "--secret-file <file>",
        "--forward-to <url>",
        "--status <code>",
        "--json",
        "Listens on 127.0.0.1 only.",
      ],
    ],
    ["verify", ["[file]", "--secret-file <file>", "--json"]],
    [
      "register",
      ["<url>", "--api-key-file <file>", "--base-url <url>", "--yes", "--json", "ONE webhook endpoint per account"],
    ],
  ])("%s --help, and help %s", async (command, expected) => {
    const [flag, word] = await Promise.all([runCli([command, "--help"]), runCli(["help", command])]);
    expect(flag.code).toBe(EXIT.ok);
    expect(word.code).toBe(EXIT.ok);
    expect(flag.stdout).toContain(`Usage: colivara-webhooks ${command}`);
    for (const text of expected) expect(flag.stdout).toContain(text);
    expect(word.stdout).toBe(flag.stdout);
  });

  it("no command shows the help on stderr and exits 2; an unknown one suggests the right one", async () => {
    const none = await runCli([]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain("Usage: colivara-webhooks");
    const typo = await runCli(["sned"]);
    expect(typo.code).toBe(EXIT.usage);
    expect(typo.stderr).toContain("unknown command 'sned'");
    expect(typo.stderr).toContain("(Did you mean send?)");
  });

  it("--version prints the package version", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});

describe("colours", () => {
  // Piped output (as here) is plain unless FORCE_COLOR asks; NO_COLOR always wins.
  const ESC = "\u001b[";
  const run = (env: Record<string, string>) => runCli(["send", "nope"], { COLIVARA_WEBHOOK_SECRET: "x", ...env });

  it("none on a pipe", async () => {
    expect((await run({})).stderr).not.toContain(ESC);
  });
  it("FORCE_COLOR=1 turns them on", async () => {
    expect((await run({ FORCE_COLOR: "1" })).stderr).toContain(`${ESC}31merror:`);
  });
  it("NO_COLOR wins over FORCE_COLOR", async () => {
    expect((await run({ FORCE_COLOR: "1", NO_COLOR: "1" })).stderr).not.toContain(ESC);
  });
  it("FORCE_COLOR=0 keeps them off", async () => {
    expect((await run({ FORCE_COLOR: "0" })).stderr).not.toContain(ESC);
  });
});
