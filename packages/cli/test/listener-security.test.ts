// The listener as a target: a planted delivery cannot steer a re-signed replay elsewhere, the
// history stays bounded in bytes and is sent in pages, and only the listener's own address
// (Host, Origin) reads anything but a delivery's verdict. Real HTTP on 127.0.0.1 throughout;
// raw sockets where an HTTP client would normalise the request target or the Host header.
import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { type Listener, startListener } from "../src/listen.js";

const FAIL_EVENT = JSON.stringify({
  type: "upsert.fail",
  message: "Upsert failed",
  name: "report.pdf",
  metadata: {},
  collection_name: "default_collection",
  error: "Could not convert",
});

const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function listener(options: Partial<Parameters<typeof startListener>[0]> = {}): Promise<Listener> {
  const running = await startListener({ port: 0, secret: [newSecret()], onDelivery: () => {}, ...options });
  started.push(running);
  return running;
}

/** A server that records every request it gets: the attacker's, or an app behind --forward-to. */
async function recorder(): Promise<{ origin: string; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.once("end", () => res.end("{}"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  started.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, hits };
}

/** Sends one request exactly as written (request target included) and resolves to its status line. */
function rawRequest(port: number, head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.once("error", reject);
    socket.once("end", () => resolve(answer.split("\r\n")[0] ?? ""));
    socket.end(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}

/** node:http, which (unlike fetch) lets a test set Host and Origin as a rebinding page would. */
function asBrowser(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers, agent: false }, (res: IncomingMessage) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        // The event stream never ends: its first bytes are enough to know what it answered.
        text += chunk;
        if (path.endsWith("/events")) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, text });
      res.once("end", done);
      res.once("close", done);
    });
    req.once("error", reject);
    req.end(body);
  });
}

function replay(running: Listener, seq: number, mode: "resign" | "as-is"): Promise<Response> {
  return fetch(`${running.origin}/inspector/replay`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-colivara-inspector": "replay" },
    body: JSON.stringify({ seq, mode }),
  });
}

describe("replays go only where the listener's configuration says", () => {
  it.each([
    ["an absolute-form target", (port: number) => `http://127.0.0.1:${port}/x`],
    ["a protocol-relative target", (port: number) => `//127.0.0.1:${port}/x`],
  ])("%s planted in a delivery never sends the attacker a re-signed copy", async (_, target) => {
    const [secret] = [newSecret()];
    const running = await listener({ secret: [secret] });
    const attacker = await recorder();
    const port = Number(new URL(running.origin).port);
    const { body, headers } = signIndependently(newSecret(), FAIL_EVENT);
    const lines = Object.entries({ ...headers, host: `127.0.0.1:${port}`, cookie: "session=private" })
      .map(([name, value]) => `${name}: ${value}`)
      .join("\r\n");
    expect(await rawRequest(port, `POST ${target(attacker.port)} HTTP/1.1\r\n${lines}`, String(body))).toMatch(
      /^HTTP\/1\.1 4\d\d/,
    );
    const [planted] = running.log.reports;
    expect(planted).toBeDefined();
    for (const mode of ["resign", "as-is"] as const) {
      expect((await replay(running, planted?.seq ?? 0, mode)).status).toBe(200);
    }
    expect(attacker.hits).toEqual([]);
    // Both copies reached the listener itself, on a path-only target.
    const replays = running.log.reports.filter((report) => report.replayOf?.seq === planted?.seq);
    expect(replays.map((report) => report.path)).toEqual(["/x", "/x"]);
    expect(replays[0]?.verdict).toBe("accepted");
  });

  it("a path that normalises to //host stays on the listener", async () => {
    const running = await listener();
    const attacker = await recorder();
    const port = Number(new URL(running.origin).port);
    const head = `POST /a/..//127.0.0.1:${attacker.port}/x HTTP/1.1\r\nhost: 127.0.0.1:${port}`;
    await rawRequest(port, head, "{}");
    const [planted] = running.log.reports;
    expect((await replay(running, planted?.seq ?? 0, "resign")).status).toBe(200);
    expect(attacker.hits).toEqual([]);
  });
});

/** Bytes the history holds: every report's shown body plus every raw body kept for replay. */
function retainedBytes(running: Listener): number {
  return running.log.reports.reduce(
    (sum, report) => sum + Buffer.byteLength(report.body) + (running.log.raw(report.seq)?.body.byteLength ?? 0),
    0,
  );
}

describe("the history is bounded in bytes and sent in pages", () => {
  it("40 unverified bodies of almost 1 MiB keep the history under 20 MiB, with the cut said", async () => {
    const running = await listener();
    const big = `{"type":"upsert.success","name":"${"x".repeat(1024 * 1024 - 2048)}"}`;
    for (let i = 0; i < 40; i++) {
      expect((await fetch(running.url, { method: "POST", body: big })).status).toBe(401);
    }
    expect(running.log.reports.length).toBeGreaterThan(0);
    expect(retainedBytes(running)).toBeLessThan(20 * 1024 * 1024);
    expect(running.log.retainedBytes).toBeLessThan(20 * 1024 * 1024);
    const newest = running.log.reports.at(-1);
    expect(newest?.bodyBytes).toBe(Buffer.byteLength(big));
    expect(newest?.bodyCut).toBe(true);
    expect(Buffer.byteLength(newest?.body ?? "")).toBeLessThan(Buffer.byteLength(big));
  });

  it("an app behind --forward-to answering 8 MiB is kept as its first 64 KiB", async () => {
    const app = createServer((req, res) => {
      req.resume();
      req.once("end", () => res.end("y".repeat(8 * 1024 * 1024)));
    });
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    started.push({ close: () => new Promise((resolve) => app.close(() => resolve())) });
    const { port } = app.address() as AddressInfo;
    const running = await listener({ forwardTo: new URL(`http://127.0.0.1:${port}/hook`) });
    await (await fetch(running.url, { method: "POST", body: "{}" })).arrayBuffer();
    const [report] = running.log.reports;
    expect(report?.app?.status).toBe(200);
    expect(report?.app?.bodyCut).toBe(true);
    expect(report?.app?.body?.length).toBe(64 * 1024);
  });

  it("a new event-stream client gets the newest page, not the whole history", async () => {
    const running = await listener();
    for (let i = 0; i < 120; i++) await fetch(running.url, { method: "POST", body: `{"n":${i}}` });
    const newest = running.log.reports.at(-1)?.seq ?? 0;
    const seen = await new Promise<Set<number>>((resolve, reject) => {
      const seqs = new Set<number>();
      const req = httpRequest(`${running.origin}/inspector/events`, { agent: false }, (res) => {
        let buffered = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          for (const match of buffered.matchAll(/"seq":(\d+),"receivedAt"/g)) seqs.add(Number(match[1]));
          if (seqs.has(newest)) {
            res.destroy();
            resolve(seqs);
          }
        });
      });
      req.once("error", reject);
      req.end();
    });
    expect(seen.size).toBeLessThanOrEqual(50);
    const older = (await (await fetch(`${running.origin}/inspector/history?before=${Math.min(...seen)}`)).json()) as {
      deliveries: Array<{ seq: number }>;
    };
    expect(older.deliveries.length).toBeGreaterThan(0);
    expect(Math.max(...older.deliveries.map((d) => d.seq))).toBe(Math.min(...seen) - 1);
  });
});

describe("only the listener's own Host and Origin read anything but a verdict", () => {
  const paths: Array<[string, string]> = [
    ["GET", "/inspector"],
    ["GET", "/inspector/"],
    ["GET", "/inspector/app.js"],
    ["GET", "/inspector/app.css"],
    ["GET", "/inspector/events"],
    ["GET", "/inspector/history"],
    ["GET", "/inspector/delivery/1"],
    ["GET", "/inspector/nothing-here"],
    ["POST", "/inspector/replay"],
    ["GET", "/favicon.ico"],
    ["POST", "/webhooks/colivara"],
    ["GET", "/webhooks/colivara"],
    ["POST", "/anything/else"],
  ];

  it.each(paths)("%s %s with Host: evil.example (a rebinding page) answers 403", async (method, path) => {
    const app = await recorder();
    const running = await listener({ forwardTo: new URL(`${app.origin}/webhooks/colivara`) });
    const headers = {
      host: "evil.example",
      origin: "http://evil.example",
      "x-colivara-inspector": "replay",
      "content-type": "application/json",
    };
    const answer = await asBrowser(running.origin, method, path, headers, method === "POST" ? '{"seq":1}' : "");
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain("<html");
    expect(app.hits).toEqual([]);
    expect(running.log.reports).toEqual([]);
  });

  it("a delivery through a tunnel (another Host, no Origin) still gets its verdict", async () => {
    const secret = newSecret();
    const running = await listener({ secret: [secret] });
    const { body, headers } = signIndependently(secret, FAIL_EVENT);
    const answer = await asBrowser(
      running.origin,
      "POST",
      "/webhooks/colivara",
      { ...headers, host: "abc.trycloudflare.com" },
      String(body),
    );
    expect(answer.status).toBe(200);
    // The inspector is not reachable that way.
    expect((await asBrowser(running.origin, "GET", "/inspector", { host: "abc.trycloudflare.com" })).status).toBe(403);
  });

  it("the listener's own page (own Host and Origin) is served", async () => {
    const running = await listener();
    const host = new URL(running.origin).host;
    expect((await asBrowser(running.origin, "GET", "/inspector/history", { host })).status).toBe(200);
    expect(
      (
        await asBrowser(running.origin, "GET", "/inspector/history", {
          host: `localhost:${new URL(running.origin).port}`,
        })
      ).status,
    ).toBe(200);
    const own = { host, origin: running.origin, "x-colivara-inspector": "replay" };
    expect(
      (await asBrowser(running.origin, "POST", "/inspector/replay", own, '{"seq":1,"mode":"resign"}')).status,
    ).toBe(404);
  });
});
