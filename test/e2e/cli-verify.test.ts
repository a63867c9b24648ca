// `colivara-webhooks verify`: a pasted or saved delivery (signed by the svix package) is
// checked by the core verifier, and a failure says why.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Delivery, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { EXIT, plain, runCli } from "./cli-support.js";

function pasted(delivery: Delivery, body = delivery.body): string {
  const lines = Object.entries(delivery.headers).map(([name, value]) => `${name}: ${value}`);
  return `POST /webhooks/colivara HTTP/1.1\n${lines.join("\n")}\n\n${body}`;
}

describe("colivara-webhooks verify", () => {
  const [current, previous] = [newSecret(), newSecret()];
  const env = { COLIVARA_WEBHOOK_SECRET: `${current},${previous}` };
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "colivara-verify-"));
  });

  it("a saved delivery file that verifies: type, id and which secret matched; exit 0", async () => {
    const delivery = sign(previous, successPayload());
    const file = join(dir, "delivery.json");
    await writeFile(file, JSON.stringify({ headers: delivery.headers, body: delivery.body }));
    const run = await runCli(["verify", file], env);
    expect(run.code).toBe(EXIT.ok);
    expect(plain(run.stdout)).toContain("✓ valid: upsert.success");
    expect(plain(run.stdout)).toContain(`id ${delivery.id}`);
    expect(plain(run.stdout)).toContain("secret #1");
  });

  it("pasted on standard input, with the trailing newline a terminal adds: valid, newline removed; exit 0", async () => {
    const delivery = sign(current, successPayload());
    const run = await runCli(["verify"], env, pasted(delivery, `${delivery.body}\n`));
    expect(run.code).toBe(EXIT.ok);
    const out = plain(run.stdout);
    expect(out).toContain("✓ valid: upsert.success (newline removed)");
    expect(out).toContain("valid once the trailing newline your paste or editor added was removed");
    const json = await runCli(["verify", "--json"], env, pasted(delivery, `${delivery.body}\r\n`));
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, repaired: expect.stringContaining("trailing newline") });
  });

  it("a pretty-printed body is named as re-serialised, with the form it matches; exit 1", async () => {
    const delivery = sign(current, successPayload({ name: "résumé.pdf" }));
    const pretty = JSON.stringify(JSON.parse(delivery.body), null, 2);
    const run = await runCli(["verify"], env, pasted(delivery, pretty));
    expect(run.code).toBe(EXIT.verdict);
    const out = plain(run.stdout);
    expect(out).toContain("✗ invalid_signature (401)");
    expect(out).toContain(
      "The body was re-serialised (pretty-printed) after it was sent: it matches once written back as compact JSON (secret #0)",
    );
    // A body ColiVara's Python side wrote with json.dumps' default separators and ASCII escapes.
    const python =
      '{"type": "upsert.success", "message": "Upsert successful", "id": 7, "name": "r\\u00e9sum\\u00e9.pdf", "metadata": {"tags": ["a", "b"]}, "url": "https://example.com/r.pdf", "num_pages": 2, "collection_name": "default_collection"}';
    const sent = sign(current, python);
    const again = await runCli(["verify"], env, pasted(sent, JSON.stringify(JSON.parse(python), null, 2)));
    expect(again.code).toBe(EXIT.verdict);
    expect(plain(again.stdout)).toContain("it matches once written back as Python's json.dumps (secret #0)");
  });

  it("a pretty-printed body matching no form is still named", async () => {
    const delivery = sign(newSecret(), successPayload());
    const run = await runCli(["verify"], env, pasted(delivery, JSON.stringify(JSON.parse(delivery.body), null, 2)));
    expect(run.code).toBe(EXIT.verdict);
    expect(plain(run.stdout)).toContain("The body is pretty-printed (indented over several lines)");
  });

  it("a changed body or another secret: none matches, and what to check", async () => {
    const delivery = sign(newSecret(), successPayload());
    const run = await runCli(["verify", "--json"], env, pasted(delivery));
    expect(run.code).toBe(EXIT.verdict);
    const result = JSON.parse(run.stdout);
    expect(result.error.code).toBe("invalid_signature");
    expect(result.why.join(" ")).toContain("none matches any of the 2 secret(s)");
  });

  it("an old delivery: too old, by how much, and that the signature itself is valid", async () => {
    const delivery = sign(current, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const run = await runCli(["verify"], env, pasted(delivery));
    expect(run.code).toBe(EXIT.verdict);
    const out = plain(run.stdout);
    expect(out).toContain("✗ timestamp_too_old (401)");
    expect(out).toMatch(
      /Signed 360\d s ago; the tolerance is 300 s either way, and the signature itself is valid \(secret #0\)/,
    );
  });

  it("missing headers are named", async () => {
    const run = await runCli(["verify"], env, 'svix-id: msg_1\n\n{"type":"upsert.success"}');
    expect(run.code).toBe(EXIT.verdict);
    expect(plain(run.stdout)).toContain("Missing: svix-timestamp, svix-signature.");
  });

  it("input that is neither a saved delivery nor headers and a body exits 2", async () => {
    const run = await runCli(["verify"], env, "just some text");
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("Expected header lines");
  });

  it("more than 16 MiB on standard input stops reading and asks for a file; exit 2", async () => {
    const delivery = sign(current, successPayload());
    const run = await runCli(["verify"], env, pasted(delivery, "x".repeat(16 * 1024 * 1024 + 1)));
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("More than 16 MiB on standard input");
    expect(run.stderr).not.toContain("Unexpected error");
  });

  it("a saved delivery file over 16 MiB is not read whole; exit 2", async () => {
    const delivery = sign(current, successPayload());
    const file = join(dir, "huge.json");
    await writeFile(file, JSON.stringify({ headers: delivery.headers, body: "x".repeat(17 * 1024 * 1024) }));
    const run = await runCli(["verify", file], env);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(`More than 16 MiB in ${file}`);
  });

  it.each([
    [
      "a smart quote in a value",
      (d: Delivery) => pasted(d).replace(/svix-id: (\S+)/, "svix-id: “$1”"),
      "The svix-id header holds “ (U+201C) at character 1",
    ],
    [
      "a space in a name",
      (d: Delivery) => pasted(d).replace("svix-id:", "svix id:"),
      '"svix id" is not a header name HTTP allows',
    ],
    [
      "the shortened signature listen printed",
      (d: Delivery) => pasted(d).replace(/(svix-signature: v1,.{8}).*/, "$1…"),
      "this signature was shortened for display",
    ],
  ])("%s: a clear message and exit 2, never a stack trace", async (_, edit, message) => {
    const run = await runCli(["verify"], env, edit(sign(current, successPayload())));
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain("Unexpected error");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a saved delivery whose header values the Headers API refuses: exit 2", async () => {
    const delivery = sign(current, successPayload());
    const file = join(dir, "quoted.json");
    await writeFile(
      file,
      JSON.stringify({ headers: { ...delivery.headers, "svix-timestamp": "“1”" }, body: delivery.body }),
    );
    const run = await runCli(["verify", file], env);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("The svix-timestamp header holds “ (U+201C)");
  });

  it("a listen --json line whose body was cut says so; exit 2", async () => {
    const delivery = sign(current, successPayload());
    const file = join(dir, "cut.json");
    await writeFile(
      file,
      JSON.stringify({ headers: delivery.headers, body: delivery.body.slice(0, 20), bodyCut: true }),
    );
    const run = await runCli(["verify", file], env);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("holds only the first 64 KiB of the body (bodyCut)");
  });
});
