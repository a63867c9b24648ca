// `colivara-webhooks listen` as a subprocess: deliveries from the CLI's own `send` and from
// the independent svix signer are verified and printed; attacks are rejected and shown.
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { eventually } from "../support/eventually.js";
import { cleanEnv, cliPath, EXIT, plain, type Running, repoRoot, runCli, startProcess } from "./cli-support.js";

function listen(args: string[], env: Record<string, string | undefined> = {}): Running {
  return startProcess([cliPath, "listen", "--port", "0", ...args], { cwd: repoRoot, env: cleanEnv(env) });
}

interface Report {
  status: number;
  verified: boolean;
  duplicate: boolean;
  id?: string;
  path: string;
  event?: { type: string; name?: string; num_pages?: number; error?: string };
  error?: { code: string; message: string };
}

describe("colivara-webhooks listen (pretty output)", () => {
  const secret = newSecret();
  let listener: Running;
  let url: string;

  beforeAll(async () => {
    listener = listen([], { COLIVARA_WEBHOOK_SECRET: secret });
    url = (await listener.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/))[1] as string;
    await listener.waitFor(/Ctrl\+C stops\./);
  });
  afterAll(async () => {
    await listener?.stop();
  });

  it("prints how to use it", () => {
    const out = plain(listener.stdout());
    expect(out).toContain("(any path), verifying with 1 secret(s).");
    expect(out).toContain(`colivara-webhooks send ${url} --all`);
  });

  it("verifies and pretty-prints what `send --all` sends, and shows each rejection", async () => {
    const run = await runCli(["send", url, "--all"], { COLIVARA_WEBHOOK_SECRET: secret });
    expect(run.code).toBe(EXIT.ok);
    await eventually(() => {
      const out = plain(listener.stdout());
      expect(out).toMatch(/✓ 200 {2}upsert\.success {2}POST \/webhooks\/colivara {2}msg_\w+/);
      expect(out).toContain("annual-report-2025.pdf stored in default_collection (48 pages, document 4242)");
      expect(out).toContain('"num_pages": 48,');
      expect(out).toMatch(/✗ 401 {2}invalid_signature {2}POST/);
      expect(out).toMatch(/✗ 401 {2}timestamp_too_old {2}POST/);
      expect(out).toMatch(/↺ 200 {2}duplicate {2}POST/);
    });
  });

  it("verifies a delivery signed by the svix package", async () => {
    const delivery = sign(secret, failPayload({ name: "svix-signed.pdf" }));
    const response = await fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, id: delivery.id, type: "upsert.fail" });
    await eventually(() => expect(plain(listener.stdout())).toContain("svix-signed.pdf failed: Could not convert"));
  });

  it("stops on SIGTERM with exit 0", async () => {
    const other = listen([], { COLIVARA_WEBHOOK_SECRET: secret });
    await other.waitFor(/Listening on/);
    expect(await other.stop()).toBe(0);
    expect(other.stderr()).toContain("Stopped.");
  });
});

describe("colivara-webhooks listen --json", () => {
  const [current, previous] = [newSecret(), newSecret()];
  let listener: Running;
  let origin: string;

  const reports = (): Report[] =>
    listener
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{") && !line.includes('"listening"'))
      .map((line) => JSON.parse(line));

  beforeAll(async () => {
    // Two secrets, as during a rotation; --path restricts where deliveries are accepted.
    listener = listen(["--json", "--path", "/hooks/colivara", "--secret", `${current},${previous}`]);
    const [line] = await listener.waitFor(/^\{"listening".*\}$/m);
    origin = JSON.parse(line).origin;
    expect(JSON.parse(line).listening).toBe(`${origin}/hooks/colivara`);
  });
  afterAll(async () => {
    await listener?.stop();
  });

  const post = (path: string, delivery: { body: string; headers: Record<string, string> }) =>
    fetch(`${origin}${path}`, { method: "POST", body: delivery.body, headers: delivery.headers });

  it("prints one JSON line per delivery: verified events with their fields", async () => {
    const delivery = sign(previous, successPayload({ name: "rotated.pdf", num_pages: 5 }), { prefix: "webhook" });
    expect((await post("/hooks/colivara", delivery)).status).toBe(200);
    const report = await eventually(() => {
      const found = reports().find((r) => r.id === delivery.id);
      expect(found).toBeDefined();
      return found as Report;
    });
    expect(report).toMatchObject({
      status: 200,
      verified: true,
      duplicate: false,
      path: "/hooks/colivara",
      event: { type: "upsert.success", name: "rotated.pdf", num_pages: 5 },
    });
  });

  it("prints the full signature: a line is a delivery file `verify` reads back", async () => {
    const delivery = sign(current, successPayload({ name: "copied.pdf" }));
    expect((await post("/hooks/colivara", delivery)).status).toBe(200);
    const line = await eventually(() => {
      const found = listener
        .stdout()
        .split("\n")
        .find((l) => l.includes(delivery.id));
      expect(found).toBeDefined();
      return found as string;
    });
    expect(line).toContain(JSON.stringify(delivery.headers["svix-signature"]));
    const dir = await mkdtemp(join(tmpdir(), "colivara-listen-"));
    await writeFile(join(dir, "line.json"), line);
    const run = await runCli(["verify", join(dir, "line.json")], { COLIVARA_WEBHOOK_SECRET: current });
    expect(run.code).toBe(EXIT.ok);
    expect(plain(run.stdout)).toContain("✓ valid: upsert.success");
  });

  it("reports rejections with the failure table's code, and other paths as 404", async () => {
    const forged = sign(newSecret(), successPayload());
    expect((await post("/hooks/colivara", forged)).status).toBe(401);
    const elsewhere = sign(current, successPayload());
    expect((await post("/other", elsewhere)).status).toBe(404);
    await eventually(() => {
      expect(reports()).toContainEqual(
        expect.objectContaining({
          id: forged.id,
          status: 401,
          verified: false,
          error: expect.objectContaining({ code: "invalid_signature" }),
        }),
      );
      expect(reports()).toContainEqual(
        expect.objectContaining({
          id: elsewhere.id,
          status: 404,
          path: "/other",
          error: expect.objectContaining({ code: "not_found" }),
        }),
      );
    });
  });
});

describe("colivara-webhooks listen, errors", () => {
  it("a taken port exits 3 and says so", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const run = await runCli(["listen", "--port", String(port), "--secret", newSecret()]);
      expect(run.code).toBe(EXIT.network);
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      server.close();
    }
  });

  it("a bad --port or --path exits 2", async () => {
    const port = await runCli(["listen", "--port", "eighty", "--secret", newSecret()]);
    expect(port.code).toBe(EXIT.usage);
    expect(port.stderr).toContain("--port must be an integer from 0 to 65535");
    const path = await runCli(["listen", "--port", "0", "--path", "hooks", "--secret", newSecret()]);
    expect(path.code).toBe(EXIT.usage);
    expect(path.stderr).toContain('--path must start with "/"');
  });
});

/** What drives a terminal or forges a line: C0 (but newline and tab), DEL, C1, separators, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Posts one request exactly as written, header bytes included (fetch refuses a C1 byte in a header). */
async function rawPost(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const { connect } = await import("node:net");
  const { host, port, pathname } = new URL(url);
  const lines = Object.entries({ ...headers, host, "content-length": String(Buffer.byteLength(body)) })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  const head = Buffer.from(`POST ${pathname} HTTP/1.1\r\n${lines}\r\nconnection: close\r\n\r\n`, "latin1");
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("error", reject);
    socket.on("data", () => {});
    socket.once("end", () => resolve());
    socket.end(Buffer.concat([head, Buffer.from(body)]));
  });
}

describe("colivara-webhooks listen escapes every received string it prints", () => {
  const secret = newSecret();
  const name = "\u001b[2J\u001b[Hreport.pdf";
  const error = "\u009b31mconversion failed\u202eevil";

  async function hostile(listener: Running, pattern: RegExp): Promise<string> {
    const [, url] = (await listener.waitFor(pattern)) as [string, string];
    const signed = sign(secret, failPayload({ name, error }));
    expect((await fetch(url, { method: "POST", body: signed.body, headers: signed.headers })).status).toBe(200);
    // An unverified id with a C1 byte (CSI to an 8-bit terminal), sent as raw header bytes.
    await rawPost(
      url,
      { "svix-id": "msg_\u009b2J", "svix-timestamp": "1", "svix-signature": "v1,x" },
      '{"type":"\u001b]0;t\u0007"}',
    );
    return url;
  }

  it("in the pretty output", async () => {
    const listener = listen([], { COLIVARA_WEBHOOK_SECRET: secret });
    try {
      await hostile(listener, /Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/);
      await eventually(() => expect(listener.stdout()).toContain("msg_\\x9b2J"));
      const out = listener.stdout();
      expect(out).toContain("\\x1b[2J\\x1b[Hreport.pdf failed: \\x9b31mconversion failed\\u202eevil");
      expect(out).not.toMatch(UNSAFE);
    } finally {
      await listener.stop();
    }
  });

  it("in --json lines, which still parse to the exact strings", async () => {
    const listener = listen(["--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    try {
      await hostile(listener, /"listening":"(http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)"/);
      await eventually(() =>
        expect(
          listener
            .stdout()
            .split("\n")
            .filter((l) => l.includes('"seq"')),
        ).toHaveLength(2),
      );
      const out = listener.stdout();
      expect(out).not.toMatch(UNSAFE);
      const [accepted, rejected] = out
        .split("\n")
        .filter((line) => line.includes('"seq"'))
        .map((line) => JSON.parse(line));
      expect(accepted.event).toMatchObject({ name, error });
      expect(rejected.id).toBe("msg_\u009b2J");
    } finally {
      await listener.stop();
    }
  });
});
