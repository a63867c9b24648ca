// Hand-off section: a route that hands verified deliveries to BullMQ answers in
// milliseconds whatever the work, where an inline route answers when the work is done.
// One Express app in its own process (servers/hand-off-server.mjs), Redis from a throwaway
// redis-server, autocannon over loopback with a freshly signed delivery per request:
//   1. answer latency p50/p99: the hand-off route vs an inline route whose handler takes 2 s;
//   2. throughput: the hand-off route vs the same adapter's inline route with a no-op
//      handler, in alternating rounds (paired ratio, median).
// The time shown for the hand-off is the answer's: the job waits in Redis for a worker.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startServerProcess } from "./http-load.mjs";
import { formatOps, median, pairedRatio, renderTable, SECRET, signDelivery, upsertSuccessBody } from "./lib.mjs";

const SERVER = fileURLToPath(new URL("./servers/hand-off-server.mjs", import.meta.url));
/** Svix gives up on an answer after about 15 s; the hand-off must answer well within it. */
const SVIX_WAIT_MS = 15_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway redis-server on a free port, no persistence, as the tests start theirs
 * (test/support/redis-server.ts). Needs redis-server on PATH (`pnpm system-deps`).
 */
async function startRedis() {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const failed = once(child, "error").then(([error]) => {
    throw new Error(`redis-server could not start (${error.message}); run pnpm system-deps`);
  });
  const ready = (async () => {
    let output = "";
    for await (const chunk of child.stdout) {
      output += chunk;
      if (output.includes("Ready to accept connections")) return;
    }
    throw new Error(`redis-server exited before accepting connections:\n${output}`);
  })();
  await Promise.race([ready, failed]);
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** A new delivery id and signature per request: the hand-off stores each one. */
function fresh(body) {
  // autocannon writes host and content-length itself.
  const { "content-length": _length, host: _host, ...headers } = signDelivery(body);
  return { body, headers };
}

async function load(url, { duration, connections }) {
  const body = upsertSuccessBody(1024);
  const result = await autocannon({
    url,
    method: "POST",
    duration,
    connections,
    requests: [{ setupRequest: (request) => ({ ...request, ...fresh(body) }) }],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average };
}

/** @param {{ quick?: boolean, log?: (line: string) => void }} [options] */
export async function handOffSection({ quick = false, log = () => {} } = {}) {
  const redis = await startRedis();
  const duration = quick ? 2 : 4;
  const rounds = quick ? 2 : 3;
  let server;
  try {
    server = await startServerProcess(SERVER, [], { BENCH_SECRET: SECRET, REDIS_URL: redis.url });
    const url = (path) => `http://127.0.0.1:${server.ports.app}${path}`;
    // Warm both routes (JIT, the Redis connection) before anything is recorded.
    await load(url("/hand-off"), { duration: 1, connections: 16 });
    await load(url("/inline-noop"), { duration: 1, connections: 16 });
    log(`  latency: hand-off and an inline 2 s handler, 16 connections…`);
    const handOff = await load(url("/hand-off"), { duration, connections: 16 });
    // At least three 2-second answers per connection.
    const slow = await load(url("/inline-2s"), { duration: Math.max(duration, 6), connections: 16 });
    const runs = { handOff: [], inline: [] };
    for (let round = 0; round < rounds; round++) {
      log(`  throughput: round ${round + 1}/${rounds} (hand-off, inline no-op, 32 connections × ${duration} s)…`);
      const order = round % 2 === 0 ? ["handOff", "inline"] : ["inline", "handOff"];
      for (const route of order) {
        const path = route === "handOff" ? "/hand-off" : "/inline-noop";
        runs[route].push(await load(url(path), { duration, connections: 32 }));
      }
    }
    const rps = (route) => runs[route].map((run) => run.rps);
    const throughput = pairedRatio(rps("handOff"), rps("inline"));
    const ms = (value) => `${value} ms`;
    const table = renderTable(
      ["route (Express, 1 KiB)", "p50", "p99", "req/s"],
      [
        ["hand-off to BullMQ, 16 conn.", ms(handOff.p50), ms(handOff.p99), formatOps(handOff.rps)],
        ["inline, 2 s handler, 16 conn.", ms(slow.p50), ms(slow.p99), formatOps(slow.rps)],
        ["hand-off, 32 conn. (median)", "", "", formatOps(median(rps("handOff")))],
        ["inline no-op, 32 conn. (median)", "", "", formatOps(median(rps("inline")))],
      ],
    );
    // Storing a job is a Redis round trip per delivery; the inline no-op route does no work.
    const summary = `\nhand-off/inline no-op throughput: ${throughput.toFixed(2)}x (paired rounds, median)`;
    return {
      name: "hand-off",
      title:
        "Hand-off: verifyColivara({ handOff: bullmqHandOff(queue) }) vs inline routes (Express, real redis-server)",
      settings: { durationSeconds: duration, rounds, quick },
      results: { handOff, inline2s: slow, throughputRounds: runs, handOffOverInline: throughput },
      checks: [
        {
          name: `hand-off p99 answer within a tenth of Svix's ${SVIX_WAIT_MS / 1000} s wait (ms, lower is better)`,
          target: SVIX_WAIT_MS / 10,
          actual: handOff.p99,
          pass: handOff.p99 <= SVIX_WAIT_MS / 10,
          unit: "ms",
        },
      ],
      table: `${table}${summary}`,
    };
  } finally {
    await server?.stop();
    await redis.stop();
  }
}
