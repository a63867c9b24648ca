// `colivara-webhooks send` driven as a subprocess against the Express example running as
// its own process, and against deliberately broken endpoints (real HTTP servers).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier } from "@colivara/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret } from "../conformance/deliveries.js";
import { eventually } from "../support/eventually.js";
import {
  closedPort,
  EXIT,
  type ExampleServer,
  json,
  plain,
  runCli,
  startExample,
  startServer,
  type TestServer,
} from "./cli-support.js";

interface SendJson {
  url: string;
  ok: boolean;
  results: Array<{
    delivery: string;
    id: string;
    eventType: string;
    status: number;
    response: { status: number; body: string; errorCode?: string; duplicate?: boolean };
    first?: { status: number; body: string };
    tampered?: string;
    outcome: string;
    verdict: "pass" | "fail";
    explanation: string;
  }>;
}

describe("colivara-webhooks send, against examples/express", () => {
  const secret = newSecret();
  let example: ExampleServer;
  let tmp: string;

  beforeAll(async () => {
    example = await startExample(secret);
    tmp = await mkdtemp(join(tmpdir(), "colivara-cli-"));
  });
  afterAll(async () => {
    await example?.stop();
  });

  const send = (args: string[], env: Record<string, string | undefined> = { COLIVARA_WEBHOOK_SECRET: secret }) =>
    runCli(["send", example.url, ...args], env);

  it("sends a genuine upsert.success the handler sees, and prints status, response and verdict", async () => {
    const run = await send([]);
    expect(run.code).toBe(EXIT.ok);
    const out = plain(run.stdout);
    expect(out).toContain(`POST ${example.url}`);
    expect(out).toMatch(/genuine delivery \(upsert\.success, msg_\w+\)/);
    expect(out).toContain("status    200 OK");
    expect(out).toContain('{"received":true,"summary":"annual-report-2025.pdf stored in default_collection');
    expect(out).toContain("✓ accepted");
    const id = out.match(/\(upsert\.success, (msg_\w+)\)/)?.[1];
    await eventually(() => expect(example.logged().map((l) => l.id)).toContain(id));
  });

  it("--event upsert.fail with --json and --secret", async () => {
    const run = await send(["--event", "upsert.fail", "--json", "--secret", secret], {});
    expect(run.code).toBe(EXIT.ok);
    // A secret on the command line works, with a note on where it belongs (never echoing it).
    expect(plain(run.stderr)).toBe(
      "note: --secret on the command line shows in ps and shell history; prefer COLIVARA_WEBHOOK_SECRET or --secret-file.\n",
    );
    const result = JSON.parse(run.stdout) as SendJson;
    expect(result).toMatchObject({ url: example.url, ok: true });
    expect(result.results).toHaveLength(1);
    const [only] = result.results;
    expect(only).toMatchObject({ delivery: "valid", eventType: "upsert.fail", status: 200, verdict: "pass" });
    expect(JSON.parse(only?.response.body ?? "")).toEqual({
      received: true,
      summary: "scanned-contract.pdf failed: The document could not be converted to images.",
    });
    await eventually(() =>
      expect(example.logged()).toContainEqual(expect.objectContaining({ id: only?.id, type: "upsert.fail" })),
    );
  });

  it("--payload sends the file's exact bytes, signed", async () => {
    const file = join(tmp, "event.json");
    // Unusual formatting on purpose: the signature covers these bytes, not re-serialised JSON.
    await writeFile(
      file,
      '{ "type": "upsert.success",\n  "message": "ok", "id": 7, "name": "from-a-file.pdf", "metadata": {},\n  "url": "https://example.com/f.pdf", "num_pages": 2, "collection_name": "mine" }\n',
    );
    const run = await send(["--payload", file, "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const [result] = (JSON.parse(run.stdout) as SendJson).results;
    expect(result?.status).toBe(200);
    await eventually(() =>
      expect(example.logged().find((l) => l.id === result?.id)?.summary).toBe(
        "from-a-file.pdf stored in mine (2 pages, document 7)",
      ),
    );
  });

  it("--tamper: the example rejects it (401 invalid_signature), the verdict passes, the handler never runs", async () => {
    const run = await send(["--tamper", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const [genuine, result] = (JSON.parse(run.stdout) as SendJson).results;
    expect(genuine).toMatchObject({ delivery: "valid", verdict: "pass" });
    expect(result).toMatchObject({ delivery: "tamper", status: 401, outcome: "rejected", verdict: "pass" });
    expect(result?.response.errorCode).toBe("invalid_signature");
    expect(result?.tampered).toBe('name "annual-report-2025.pdf" → "Annual-report-2025.pdf"');
    expect(example.logged().map((l) => l.id)).not.toContain(result?.id);
  });

  it("--stale: signed 10 minutes ago, rejected as timestamp_too_old", async () => {
    const run = await send(["--stale"]);
    expect(run.code).toBe(EXIT.ok);
    const out = plain(run.stdout);
    expect(out).toContain("stale delivery (signed 10 minutes ago)");
    expect(out).toContain("401 Unauthorized");
    expect(out).toContain("✓ rejected (401 timestamp_too_old)");
  });

  it("--replay: the second copy is acknowledged as a duplicate and the handler runs once", async () => {
    const run = await send(["--replay", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const [, result] = (JSON.parse(run.stdout) as SendJson).results;
    expect(result).toMatchObject({ delivery: "replay", status: 200, outcome: "duplicate", verdict: "pass" });
    expect(result?.first?.status).toBe(200);
    expect(JSON.parse(result?.response.body ?? "")).toEqual({ duplicate: true });
    await eventually(() => expect(example.logged().map((l) => l.id)).toContain(result?.id));
    expect(example.logged().filter((l) => l.id === result?.id)).toHaveLength(1);
  });

  it("--all: a genuine delivery, then each attack; all pass", async () => {
    const run = await send(["--all"]);
    expect(run.code).toBe(EXIT.ok);
    const out = plain(run.stdout);
    for (const label of ["genuine delivery", "tampered delivery", "stale delivery", "replayed delivery"]) {
      expect(out).toContain(`● ${label}`);
    }
    expect(out).toContain("All 4 checks passed.");
  });

  it("a wrong secret: the genuine delivery is rejected, so the verdict fails with exit 1 and says why", async () => {
    const run = await send(["--json"], { COLIVARA_WEBHOOK_SECRET: newSecret() });
    expect(run.code).toBe(EXIT.verdict);
    const result = JSON.parse(run.stdout) as SendJson;
    expect(result.ok).toBe(false);
    expect(result.results[0]).toMatchObject({ status: 401, verdict: "fail", outcome: "rejected" });
    expect(result.results[0]?.explanation).toContain("secret");
  });
});

describe("colivara-webhooks send, against endpoints that fail the checks", () => {
  const secret = newSecret();
  let naive: TestServer;
  let broken: TestServer;
  let redirecting: TestServer;

  beforeAll(async () => {
    // Accepts anything without verifying: every attack gets through.
    naive = await startServer((_request, res) => json(res, 200, { ok: true }));
    broken = await startServer((_request, res) => json(res, 500, { oops: true }));
    redirecting = await startServer((_request, res) => {
      res.writeHead(301, { location: "https://example.com/webhooks" });
      res.end();
    });
  });
  afterAll(async () => {
    await Promise.all([naive?.close(), broken?.close(), redirecting?.close()]);
  });

  it("an endpoint that accepts everything fails every attack, with exit 1", async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = await runCli(["send", `${naive.origin}/hook`, "--all", "--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    const after = Math.floor(Date.now() / 1000);
    expect(run.code).toBe(EXIT.verdict);
    const result = JSON.parse(run.stdout) as SendJson;
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => [r.delivery, r.verdict, r.outcome])).toEqual([
      ["valid", "pass", "accepted"],
      ["tamper", "fail", "accepted"],
      ["stale", "fail", "accepted"],
      ["replay", "fail", "accepted"],
    ]);
    // The replay really was the same signed delivery, twice; the tampered one differs by one byte.
    expect(naive.requests).toHaveLength(5);
    const [valid, tampered, stale, replay1, replay2] = naive.requests;
    expect(replay1?.body).toBe(replay2?.body);
    expect(replay1?.headers["svix-signature"]).toBe(replay2?.headers["svix-signature"]);
    expect(replay1?.headers["svix-id"]).toBe(replay2?.headers["svix-id"]);
    expect(tampered?.body).not.toBe(valid?.body);
    expect(tampered?.body.length).toBe(valid?.body.length);
    // The stale one was signed 600 s before the moment it was sent.
    const staleAt = Number(stale?.headers["svix-timestamp"]);
    expect(staleAt).toBeGreaterThanOrEqual(before - 600);
    expect(staleAt).toBeLessThanOrEqual(after - 600);
    // The signature itself is valid: only the timestamp is stale.
    expect(
      await createVerifier({ secret, toleranceSeconds: 700 }).verify(stale?.body ?? "", stale?.headers ?? {}),
    ).toMatchObject({ event: { type: "upsert.success" } });
  });

  it("says in words that an attack was accepted", async () => {
    const run = await runCli(["send", `${naive.origin}/hook`, "--tamper"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.verdict);
    const out = plain(run.stdout);
    expect(out).toContain("✗ ACCEPTED a delivery whose body was changed after signing");
    expect(out).toContain("1 passed, 1 failed, 0 inconclusive of 2 checks: the endpoint accepted an attack.");
  });

  it("a 500 is not a rejection: attacks and genuine deliveries fail", async () => {
    const run = await runCli(["send", `${broken.origin}/hook`, "--stale", "--json"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.verdict);
    const results = (JSON.parse(run.stdout) as SendJson).results;
    expect(results.map((r) => [r.delivery, r.status, r.outcome, r.verdict])).toEqual([
      ["valid", 500, "error", "fail"],
      ["stale", 500, "error", "fail"],
    ]);
  });

  it("a redirect is reported, not followed", async () => {
    const run = await runCli(["send", `${redirecting.origin}/hook`, "--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.verdict);
    const [result] = (JSON.parse(run.stdout) as SendJson).results;
    expect(result).toMatchObject({ status: 301, outcome: "redirected", verdict: "fail" });
    expect(result?.explanation).toContain("https://example.com/webhooks");
  });
});

describe("colivara-webhooks send, errors", () => {
  const secret = newSecret();

  it.each([
    ["not-a-url", "Did you mean http://not-a-url"],
    ["ftp://example.com/hook", "must be an absolute http:// or https:// URL"],
    ["localhost:3000/webhooks", "must be an absolute http:// or https:// URL"],
  ])("a bad URL (%s) exits 2 with a clear message", async (url, message) => {
    const run = await runCli(["send", url], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("an unreachable server exits 3 and says connection refused", async () => {
    const port = await closedPort();
    const run = await runCli(["send", `http://127.0.0.1:${port}/webhooks/colivara`], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.network);
    expect(run.stderr).toContain(`Could not reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });

  it("an unreachable server with --json prints the error as JSON on stdout", async () => {
    const port = await closedPort();
    const run = await runCli(["send", `http://127.0.0.1:${port}/hook`, "--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.network);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: "unreachable", message: expect.stringContaining("ECONNREFUSED") },
    });
  });

  it("a server that never answers: a failed row per delivery, partial --json, exit 3", async () => {
    const silent = await startServer(() => {
      // Never answers.
    });
    try {
      const run = await runCli(["send", `${silent.origin}/hook`, "--timeout", "0.2", "--json"], {
        COLIVARA_WEBHOOK_SECRET: secret,
      });
      expect(run.code).toBe(EXIT.network);
      const [result] = (JSON.parse(run.stdout) as SendJson).results;
      expect(result).toMatchObject({ delivery: "valid", outcome: "timeout", verdict: "fail" });
      expect(result?.explanation).toContain("no answer within 0.2 s");
    } finally {
      await silent.close();
    }
  });

  it("a missing secret exits 2 and says where to get one", async () => {
    const run = await runCli(["send", "http://127.0.0.1:3000/webhooks/colivara"]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("No webhook secret: set COLIVARA_WEBHOOK_SECRET or pass --secret-file <file>");
    expect(run.stderr).toContain("colivara-webhooks secret");
  });

  it("an invalid secret exits 2 with the verifier's reason, and --json gives the code", async () => {
    const run = await runCli([
      "send",
      "http://127.0.0.1:3000/webhooks/colivara",
      "--secret",
      "whsec_dG9vc2hvcnQ=",
      "--json",
    ]);
    expect(run.code).toBe(EXIT.usage);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe("invalid_secret");
    expect(error.message).toContain("decodes to 8 bytes");
    expect(error.message).not.toContain("dG9vc2hvcnQ");
  });

  it("an unreadable or non-JSON payload file exits 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "colivara-cli-"));
    const missing = await runCli(["send", "http://127.0.0.1:3000/x", "--payload", join(dir, "nope.json")], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain("Cannot read the payload file");
    expect(missing.stderr).toContain("no such file");
    const file = join(dir, "bad.json");
    await writeFile(file, "{not json");
    const bad = await runCli(["send", "http://127.0.0.1:3000/x", "--payload", file], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain("is not valid JSON");
    const huge = join(dir, "huge.json");
    await writeFile(huge, `"${"x".repeat(17 * 1024 * 1024)}"`);
    const big = await runCli(["send", "http://127.0.0.1:3000/x", "--payload", huge], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(big.code).toBe(EXIT.usage);
    expect(big.stderr).toContain(`The payload file ${huge} is over 16 MiB`);
  });

  it("argument errors exit 2: unknown event, --payload with --event, missing URL, unknown option", async () => {
    const env = { COLIVARA_WEBHOOK_SECRET: secret };
    const unknownEvent = await runCli(["send", "http://127.0.0.1:3000/x", "--event", "upsert.maybe"], env);
    expect(unknownEvent.code).toBe(EXIT.usage);
    expect(unknownEvent.stderr).toContain("Allowed choices are upsert.success, upsert.fail");
    const both = await runCli(
      ["send", "http://127.0.0.1:3000/x", "--event", "upsert.fail", "--payload", "x.json"],
      env,
    );
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain("cannot be used with option");
    const noUrl = await runCli(["send"], env);
    expect(noUrl.code).toBe(EXIT.usage);
    expect(noUrl.stderr).toContain("missing required argument 'url'");
    const unknownOption = await runCli(["send", "http://127.0.0.1:3000/x", "--tampr", "--json"], env);
    expect(unknownOption.code).toBe(EXIT.usage);
    expect(unknownOption.stderr).toContain("unknown option '--tampr'");
    expect(unknownOption.stderr).toContain("--tamper");
    expect(JSON.parse(unknownOption.stdout)).toEqual({
      error: { code: "usage", message: expect.stringContaining("unknown option '--tampr'") },
    });
  });
});

describe("colivara-webhooks send escapes what the endpoint answered", () => {
  let hostile: TestServer;
  beforeAll(async () => {
    // A C1 byte (CSI to an 8-bit terminal) in a Location header, escape sequences in the body.
    hostile = await startServer((_request, res) => {
      res.writeHead(302, { location: Buffer.from("/moved\u009b2J", "latin1").toString("latin1") });
      res.end("\u001b[2J\u001b[Hforged ✓ accepted");
    });
  });
  afterAll(async () => {
    await hostile?.close();
  });

  it("prints a Location and a body holding control characters as visible escapes", async () => {
    const run = await runCli(["send", `${hostile.origin}/hook`], { COLIVARA_WEBHOOK_SECRET: newSecret() });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toContain("to /moved\\x9b2J");
    expect(run.stdout).toContain("\\x1b[2J\\x1b[Hforged");
  });
});
