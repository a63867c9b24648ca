// `colivara-webhooks listen`: a fresh secret when none is set, --forward-to passes the exact
// bytes and headers on and answers with the app's answer, --status answers a chosen status,
// 127.0.0.1 only, and the inspector refuses other hosts and cross-site replays.
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { eventually } from "../support/eventually.js";
import {
  cleanEnv,
  cliPath,
  EXIT,
  json,
  plain,
  type Running,
  repoRoot,
  runCli,
  startProcess,
  startServer,
  type TestServer,
} from "./cli-support.js";

function listen(args: string[], env: Record<string, string | undefined> = {}): Running {
  return startProcess([cliPath, "listen", "--port", "0", ...args], { cwd: repoRoot, env: cleanEnv(env) });
}

async function started(listener: Running): Promise<string> {
  const [, url] = await listener.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/);
  await listener.waitFor(/Ctrl\+C stops\./);
  return url as string;
}

/** Resolves to true when a TCP connection to host:port opens. */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("listen without a secret", () => {
  let listener: Running;
  afterAll(async () => {
    await listener?.stop();
  });

  it("generates one for the session, prints it, and verifies with it", async () => {
    listener = listen([]);
    const url = await started(listener);
    const secret = plain(listener.stdout()).match(/this session verifies with a new secret, (whsec_[\w+/=]+)/)?.[1];
    expect(secret).toBeDefined();
    const delivery = sign(secret as string, successPayload({ name: "fresh-secret.pdf" }));
    const response = await fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
    expect(response.status).toBe(200);
    await eventually(() => expect(plain(listener.stdout())).toContain("fresh-secret.pdf stored in"));
  });
});

describe("listen --forward-to", () => {
  const secret = newSecret();
  let app: TestServer;
  let listener: Running;
  let url: string;

  beforeAll(async () => {
    app = await startServer((request, res) => json(res, 202, { queued: true, via: request.url }));
    listener = listen(["--forward-to", `${app.origin}/webhooks/colivara`], { COLIVARA_WEBHOOK_SECRET: secret });
    url = await started(listener);
  });
  afterAll(async () => {
    await listener?.stop();
    await app?.close();
  });

  it("passes the exact bytes and headers on, and answers with the app's answer", async () => {
    // Odd spacing on purpose: the app must get these bytes, not re-serialised JSON.
    const body =
      '{ "type":"upsert.success","message":"ok","id":9,"name":"bytes.pdf","metadata":{},"url":"u","num_pages":1,"collection_name":"c"}';
    const delivery = sign(secret, body);
    const response = await fetch(url, {
      method: "POST",
      body: delivery.body,
      headers: { ...delivery.headers, "x-extra": "kept" },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ queued: true, via: "/webhooks/colivara" });
    const [got] = app.requests;
    expect(got?.body).toBe(body);
    for (const name of ["svix-id", "svix-timestamp", "svix-signature", "content-type"]) {
      expect(got?.headers[name]).toBe(delivery.headers[name]);
    }
    expect(got?.headers["x-extra"]).toBe("kept");
    await eventually(() =>
      expect(plain(listener.stdout())).toMatch(/app → 202 Accepted in [\d.]+ ms {2}\{"queued":true/),
    );
  });

  it("forwards rejected deliveries too, so the app's own answer shows", async () => {
    const forged = sign(newSecret(), successPayload());
    const response = await fetch(url, { method: "POST", body: forged.body, headers: forged.headers });
    expect(response.status).toBe(202);
    await eventually(() => expect(plain(listener.stdout())).toMatch(/✗ 202 {2}invalid_signature/));
  });

  it("a bad --forward-to URL exits 2", async () => {
    const run = await runCli(["listen", "--port", "0", "--forward-to", "localhost:4000"], {
      COLIVARA_WEBHOOK_SECRET: secret,
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("--forward-to must be an absolute http:// or https:// URL");
  });
});

describe("listen --status", () => {
  let listener: Running;
  afterAll(async () => {
    await listener?.stop();
  });

  it("answers every delivery with the chosen status, and says so", async () => {
    const secret = newSecret();
    listener = listen(["--status", "503", "--json"], { COLIVARA_WEBHOOK_SECRET: secret });
    const [line] = await listener.waitFor(/^\{"listening".*\}$/m);
    const { listening } = JSON.parse(line);
    const delivery = sign(secret, successPayload());
    const response = await fetch(listening, { method: "POST", body: delivery.body, headers: delivery.headers });
    expect(response.status).toBe(503);
    const report = await eventually(() => {
      const found = listener
        .stdout()
        .split("\n")
        .find((l) => l.includes(delivery.id));
      expect(found).toBeDefined();
      return JSON.parse(found as string);
    });
    expect(report).toMatchObject({ status: 503, verified: true, verdict: "accepted", answeredBy: "status" });
    // --json carries the full signature (a line is a delivery file verify reads back); the
    // pretty output and the inspector's list shorten it.
    const signature = report.headers.find(([name]: [string]) => name === "svix-signature")[1];
    expect(signature).toBe(delivery.headers["svix-signature"]);
  });

  it("--status with --forward-to is a usage error", async () => {
    const run = await runCli(["listen", "--status", "500", "--forward-to", "http://127.0.0.1:1/x"], {
      COLIVARA_WEBHOOK_SECRET: newSecret(),
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("cannot be used with option");
  });
});

describe("listen binds 127.0.0.1 only", () => {
  let listener: Running;
  let origin: string;

  beforeAll(async () => {
    listener = listen([], { COLIVARA_WEBHOOK_SECRET: newSecret() });
    origin = new URL(await started(listener)).origin;
  });
  afterAll(async () => {
    await listener?.stop();
  });

  it("is reachable on 127.0.0.1 and on no other address of this machine", async () => {
    const port = Number(new URL(origin).port);
    expect(await opens("127.0.0.1", port)).toBe(true);
    const found = Object.values(networkInterfaces())
      .flat()
      .filter((info) => info !== undefined && !info.address.startsWith("127."))
      .map((info) => (info?.address ?? "").split("%")[0] as string);
    // ::1 always: where IPv6 is off, the connection fails too.
    const others = [...new Set(["::1", ...found])];
    for (const address of others) expect(await opens(address, port), address).toBe(false);
  });

  it("has no --host option", async () => {
    const run = await runCli(["listen", "--host", "0.0.0.0"], { COLIVARA_WEBHOOK_SECRET: newSecret() });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("unknown option '--host'");
  });

  it("the inspector answers only for 127.0.0.1 or localhost, and replays only for its own page", async () => {
    const page = await fetch(`${origin}/inspector`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const port = new URL(origin).port;
    const rebound = await new Promise<number>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port: Number(port) }, () =>
        socket.write(`GET /inspector HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`),
      );
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString();
      });
      socket.on("end", () => resolve(Number(text.split(" ")[1])));
    });
    expect(rebound).toBe(403);
    const crossSite = await fetch(`${origin}/inspector/replay`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ seq: 1, mode: "as-is" }),
    });
    expect(crossSite.status).toBe(403);
  });
});
