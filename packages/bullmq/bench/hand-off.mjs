// Hand-off vs inline, one Express app in its own process, Redis from a throwaway
// redis-server, autocannon over loopback with a freshly signed delivery per request:
//   1. answer latency p50/p99: hand-off route vs an inline route whose handler takes 2 s;
//   2. throughput: hand-off route vs the same adapter's inline route with a no-op handler.
// Not part of the tests; run with `pnpm build && node packages/bullmq/bench/hand-off.mjs [--quick]`.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import { SECRET, signDelivery, upsertSuccessBody } from "../../../bench/lib.mjs";

const QUEUE = "bench-hand-off";

async function serve() {
  const { verifyColivara } = await import("@colivara/webhooks-express");
  const { bullmqHandOff } = await import("@colivara/webhooks-bullmq");
  const { Queue } = await import("bullmq");
  const express = (await import("express")).default;
  const connection = { url: process.env.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  const handOff = bullmqHandOff(new Queue(QUEUE, { connection }));
  const app = express();
  app.post("/hand-off", verifyColivara({ secret: SECRET, handOff }));
  const slow = () => sleep(2000);
  app.post("/inline-2s", verifyColivara({ secret: SECRET, dedupe: false, on: { "upsert.success": slow } }));
  app.post("/inline-noop", verifyColivara({ secret: SECRET, dedupe: false, on: { "upsert.success": () => {} } }));
  const server = app.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
}

async function startRedis() {
  const { createServer } = await import("node:net");
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  probe.close();
  const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], { stdio: "pipe" });
  let output = "";
  for await (const chunk of child.stdout) {
    output += chunk;
    if (output.includes("Ready to accept connections")) break;
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

async function load(url, { duration, connections }) {
  const body = upsertSuccessBody(1024);
  const result = await autocannon({
    url,
    method: "POST",
    duration,
    connections,
    // A new delivery id and signature per request: the hand-off stores each one.
    requests: [{ setupRequest: (request) => ({ ...request, ...fresh(body) }) }],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
}

function fresh(body) {
  // autocannon writes host and content-length itself.
  const { "content-length": _, host: __, ...rest } = signDelivery(body);
  return { body, headers: rest };
}

async function main() {
  const quick = process.argv.includes("--quick");
  const redis = await startRedis();
  const server = spawn(process.execPath, [new URL(import.meta.url).pathname, "serve"], {
    env: { ...process.env, REDIS_URL: redis.url },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ port }] = await once(server, "message");
  const base = `http://127.0.0.1:${port}`;
  const duration = quick ? 3 : 10;
  try {
    const rows = [
      ["hand-off (latency)", await load(`${base}/hand-off`, { duration, connections: 16 })],
      ["inline, 2 s handler", await load(`${base}/inline-2s`, { duration: Math.max(duration, 6), connections: 16 })],
      ["hand-off (throughput)", await load(`${base}/hand-off`, { duration, connections: 32 })],
      ["inline, no-op handler", await load(`${base}/inline-noop`, { duration, connections: 32 })],
    ];
    console.log("route                   p50 ms   p99 ms   req/s   non-2xx");
    for (const [name, r] of rows) {
      console.log(
        `${name.padEnd(22)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(8)} ${r.rps.toFixed(0).padStart(7)} ${String(r.non2xx).padStart(8)}`,
      );
    }
  } finally {
    server.kill("SIGKILL");
    redis.stop();
  }
}

if (process.argv[2] === "serve") await serve();
else await main();
