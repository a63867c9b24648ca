// `colivara-webhooks send` never says "passed" when it did not check: attacks count only
// next to an accepted genuine delivery, 404/405 is inconclusive, a timeout is one failed row
// and the run goes on; every row shows its time; --header and --secret-file.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret } from "../conformance/deliveries.js";
import {
  EXIT,
  type ExampleServer,
  json,
  plain,
  runCli,
  startExample,
  startServer,
  type TestServer,
} from "./cli-support.js";

interface Row {
  delivery: string;
  status?: number;
  outcome: string;
  verdict: string;
  explanation: string;
  durationMs: number;
}

const rowsOf = (stdout: string) => (JSON.parse(stdout) as { ok: boolean; results: Row[] }).results;

describe("send: attack verdicts need an accepted genuine delivery", () => {
  const secret = newSecret();
  let example: ExampleServer;
  let missing: TestServer;
  let wrongMethod: TestServer;

  beforeAll(async () => {
    example = await startExample(secret);
    missing = await startServer((_request, res) => json(res, 404, { detail: "Not Found" }));
    wrongMethod = await startServer((_request, res) => json(res, 405, { detail: "Method Not Allowed" }));
  });
  afterAll(async () => {
    await Promise.all([example?.stop(), missing?.close(), wrongMethod?.close()]);
  });

  it("--tamper alone against a URL that does not exist: inconclusive (endpoint not found), exit 1, never 'passed'", async () => {
    const run = await runCli(["send", `${missing.origin}/nope`, "--tamper"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.verdict);
    const out = plain(run.stdout);
    expect(out).toContain("● genuine delivery");
    expect(out).toContain("? inconclusive: endpoint not found (404)");
    expect(out).toContain("0 passed, 0 failed, 2 inconclusive of 2 checks.");
    expect(out).not.toContain("passed.");
    // The genuine delivery was sent first, then the attack.
    expect(missing.requests).toHaveLength(2);
  });

  it("--all against a 405: every row inconclusive", async () => {
    const run = await runCli(["send", `${wrongMethod.origin}/hook`, "--all", "--json"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.verdict);
    expect(rowsOf(run.stdout).map((r) => [r.delivery, r.outcome, r.verdict])).toEqual([
      ["valid", "not_found", "inconclusive"],
      ["tamper", "not_found", "inconclusive"],
      ["stale", "not_found", "inconclusive"],
      ["replay", "not_found", "inconclusive"],
    ]);
  });

  it("--all with the wrong secret: the genuine delivery fails and the rejected attacks are inconclusive, not passed", async () => {
    const run = await runCli(["send", example.url, "--all", "--json"], { COLIVARA_WEBHOOK_SECRET: newSecret() });
    expect(run.code).toBe(EXIT.verdict);
    const rows = rowsOf(run.stdout);
    expect(rows.map((r) => [r.delivery, r.status, r.verdict])).toEqual([
      ["valid", 401, "fail"],
      ["tamper", 401, "inconclusive"],
      ["stale", 401, "inconclusive"],
      ["replay", 401, "fail"],
    ]);
    expect(rows[1]?.explanation).toContain("the genuine delivery to this URL was not accepted in this run");
  });

  it("--stale alone against the example: genuine accepted first, so the rejection passes", async () => {
    const run = await runCli(["send", example.url, "--stale", "--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.ok);
    expect(rowsOf(run.stdout).map((r) => [r.delivery, r.verdict])).toEqual([
      ["valid", "pass"],
      ["stale", "pass"],
    ]);
  });

  it("every row shows its response time", async () => {
    const run = await runCli(["send", example.url, "--all"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.ok);
    expect(plain(run.stdout).match(/^ {2}time {6}[\d.]+ ms$/gm)).toHaveLength(4);
  });
});

describe("send: timeouts, headers, secrets from a file", () => {
  const secret = newSecret();
  let server: TestServer;

  beforeAll(async () => {
    // Answers like a verifying endpoint, but never answers the tampered copy (its name starts "Annual").
    server = await startServer((request, res) => {
      if (request.body.includes('"Annual-')) return;
      json(
        res,
        request.headers["svix-timestamp"] && Number(request.headers["svix-timestamp"]) < Date.now() / 1000 - 300
          ? 401
          : 200,
        {},
      );
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a timeout in the middle of --all is one ✗ row; the run goes on and --json holds every row", async () => {
    const run = await runCli(["send", `${server.origin}/hook`, "--all", "--timeout", "0.5", "--json"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.network);
    expect(rowsOf(run.stdout).map((r) => [r.delivery, r.outcome, r.verdict])).toEqual([
      ["valid", "accepted", "pass"],
      ["tamper", "timeout", "fail"],
      ["stale", "rejected", "pass"],
      ["replay", "accepted", "fail"],
    ]);
  });

  it("the same run without --json prints the timeout row and the summary", async () => {
    const run = await runCli(["send", `${server.origin}/hook`, "--tamper", "--timeout", "0.5"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.network);
    const out = plain(run.stdout);
    expect(out).toContain("status    no answer");
    expect(out).toContain("✗ no answer within 0.5 s");
    expect(out).toContain("1 passed, 1 failed, 0 inconclusive of 2 checks.");
  });

  it("--header adds a header to every request", async () => {
    server.requests.length = 0;
    const run = await runCli(
      [
        "send",
        `${server.origin}/hook`,
        "--header",
        "x-vercel-protection-bypass: tok_123",
        "--header",
        "X-Other:  two ",
      ],
      { COLIVARA_WEBHOOK_SECRET: secret },
    );
    expect(run.code).toBe(EXIT.ok);
    expect(server.requests[0]?.headers["x-vercel-protection-bypass"]).toBe("tok_123");
    expect(server.requests[0]?.headers["x-other"]).toBe("two");
    const bad = await runCli(["send", `${server.origin}/hook`, "--header", "no colon here"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('expected "Name: value"');
  });

  it("--secret-file reads the secret from a file, with nothing on argv or in the environment", async () => {
    const dir = await mkdtemp(join(tmpdir(), "colivara-cli-"));
    const file = join(dir, "secret");
    await writeFile(file, `${secret}\n`);
    server.requests.length = 0;
    const run = await runCli(["send", `${server.origin}/hook`, "--secret-file", file], {});
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe("");
    expect(server.requests).toHaveLength(1);
    const missing = await runCli(["send", `${server.origin}/hook`, "--secret-file", join(dir, "nope")], {});
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain(`Cannot read the secret file ${join(dir, "nope")}: no such file.`);
  });
});
