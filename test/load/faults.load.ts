// Faults, per adapter, with the Redis store: the handler throws, hangs past the sender's
// timeout, never returns, or its process is killed mid-delivery. Each time the delivery is
// retried the way Svix retries (a non-2xx or no answer within its timeout: try again) and
// must be handled exactly once.
//
// The app instances are the Redis suite's fixtures (packages/redis/test/fixtures: one
// process per instance, handler behaviour chosen by the delivery's metadata.test), which
// already prove, for every adapter: two instances racing for one delivery, 409 while one
// holds it, a failed attempt retried on the other instance, and an instance killed
// mid-handler replaced by the other one after the lease. What this file adds: failures under
// concurrency on one instance, a handler slower than the sender's timeout, one that never
// returns in a process that stays alive, and a killed instance replaced by a fresh one.
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  fixture,
  type Instance,
  type RecordLine,
  startInstance,
  workspace,
} from "../../packages/redis/test/instances.js";
import { type Delivery, newId, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { buildNextApp } from "../e2e/next-server.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

interface Adapter {
  name: string;
  script: string;
  path: string;
}

const ADAPTERS: Adapter[] = [
  { name: "Express", script: "express-instance.mjs", path: "/webhooks/colivara" },
  { name: "Fastify", script: "fastify-instance.mjs", path: "/webhooks/colivara" },
  {
    name: "Fetch handler (createWebhookHandler: Workers, Bun, Deno)",
    script: "fetch-instance.mjs",
    path: "/webhooks/colivara",
  },
  { name: "Next.js App Router", script: "next-instance.mjs", path: "/api/webhooks/colivara" },
  { name: "Next.js Pages Router", script: "next-instance.mjs", path: "/api/pages/webhooks/colivara" },
];

/** Svix gives up on an answer after about 15 s; in the hanging-handler cases this sender does after 1 s. */
const SVIX_TIMEOUT_MS = 15_000;
const SHORT_TIMEOUT_MS = 1000;
/**
 * A claim dies with its lease if nobody settles it (a killed process, a handler that never
 * returns); 2 s here to keep the run short. The slow-handler case runs on an instance with
 * a lease longer than its handler, as the store's documentation asks.
 */
const LEASE_SECONDS = "2";
const LONG_LEASE_SECONDS = "30";

type Attempt = { status: number; body: Record<string, unknown> | undefined } | "timeout" | "network error";

/**
 * Delivers like Svix: each attempt signed afresh (same id, new timestamp), given up after
 * `timeoutMs`; anything but a 2xx is retried after a short pause, until `deadlineMs`.
 */
async function deliverLikeSvix(
  url: string,
  secret: string,
  delivery: Delivery,
  { timeoutMs = SVIX_TIMEOUT_MS, deadlineMs = 30_000 } = {},
): Promise<{ final: Attempt; attempts: Attempt[] }> {
  const attempts: Attempt[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const attempt = sign(secret, JSON.parse(delivery.body) as Record<string, unknown>, { id: delivery.id });
    let answer: Attempt;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: attempt.body,
        headers: attempt.headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      answer = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    } catch (error) {
      answer = (error as Error).name === "TimeoutError" ? "timeout" : "network error";
    }
    attempts.push(answer);
    if (typeof answer === "object" && answer.status >= 200 && answer.status < 300) return { final: answer, attempts };
    if (Date.now() > deadline) {
      throw new Error(`delivery ${delivery.id}: no 2xx within ${deadlineMs} ms: ${JSON.stringify(attempts)}`);
    }
    await sleep(100 + Math.random() * 100);
  }
}

const kinds = (lines: RecordLine[], id: string) => lines.filter((line) => line.id === id).map((line) => line.kind);
const isStatus = (attempt: Attempt, status: number) => typeof attempt === "object" && attempt.status === status;

/** packages/redis/test/fixtures/next-app, built once with `next build` as the Redis suite does. */
async function buildNextFixture(): Promise<void> {
  const appDir = fileURLToPath(new URL("../../packages/redis/test/fixtures/next-app/", import.meta.url));
  await buildNextApp(appDir, createRequire(appDir).resolve("next/dist/bin/next"));
}

let redis: RedisServer;

beforeAll(async () => {
  [redis] = await Promise.all([startRedisServer(), buildNextFixture()]);
}, 300_000);

afterAll(async () => {
  await redis?.stop();
});

describe.each(ADAPTERS)("$name with the Redis store, under faults", ({ script, path }) => {
  const secret = newSecret();
  const files = workspace();
  const prefix = `load:${newId()}:`;
  const env = (lease = LEASE_SECONDS) => ({
    COLIVARA_WEBHOOK_SECRET: secret,
    REDIS_URL: redis.url,
    REDIS_CLIENT: "ioredis",
    PREFIX: prefix,
    RECORD_FILE: files.recordFile,
    MARKER_DIR: files.markerDir,
    LEASE_SECONDS: lease,
  });
  let instance: Instance;
  let patient: Instance;
  const url = () => `${instance.url}${path}`;
  const delivery = (metadata: Record<string, unknown>) => sign(secret, successPayload({ metadata }));

  beforeAll(async () => {
    [instance, patient] = await Promise.all([
      startInstance(fixture(script), env()),
      startInstance(fixture(script), env(LONG_LEASE_SECONDS)),
    ]);
    // The first request loads the route and connects to Redis: not what is measured here.
    for (const target of [instance, patient]) {
      const { final } = await deliverLikeSvix(`${target.url}${path}`, secret, delivery({}));
      expect(final).toMatchObject({ status: 200, body: { handled: true } });
    }
  });
  afterAll(async () => {
    await Promise.all([instance?.stop(), patient?.stop()]);
    files.remove();
  });

  it("a handler that throws answers 500; 50 such deliveries at once are each retried and handled once", async () => {
    const deliveries = Array.from({ length: 50 }, () => delivery({ test: "fail-once" }));
    const results = await Promise.all(deliveries.map((d) => deliverLikeSvix(url(), secret, d)));
    const lines = files.lines();
    for (const [i, d] of deliveries.entries()) {
      const { final, attempts } = results[i] as { final: Attempt; attempts: Attempt[] };
      expect(attempts[0]).toMatchObject({ status: 500, body: { error: { code: "handler_failed" } } });
      expect(final).toMatchObject({ status: 200, body: { handled: true, id: d.id } });
      expect(kinds(lines, d.id)).toEqual(["failed", "handled"]);
    }
  });

  it("a handler slower than the sender's timeout: retries get 409 until it finishes, then a duplicate; handled once", async () => {
    // The handler takes 3 s; the sender gives up after 1 s and retries. The first attempt's
    // claim must hold while its handler runs, even though nobody is listening for its answer.
    const deliveries = Array.from({ length: 5 }, () => delivery({ delayMs: 3000 }));
    const results = await Promise.all(
      deliveries.map((d) => deliverLikeSvix(`${patient.url}${path}`, secret, d, { timeoutMs: SHORT_TIMEOUT_MS })),
    );
    const lines = files.lines();
    for (const [i, d] of deliveries.entries()) {
      const { final, attempts } = results[i] as { final: Attempt; attempts: Attempt[] };
      expect(attempts[0]).toBe("timeout");
      for (const attempt of attempts.slice(1, -1)) {
        expect(attempt === "timeout" || isStatus(attempt, 409), JSON.stringify(attempt)).toBe(true);
      }
      expect(final).toEqual({ status: 200, body: { duplicate: true } });
      expect(kinds(lines, d.id)).toEqual(["handled"]);
    }
  });

  it("a handler that never returns, in a live process: after the lease the retry is handled once", async () => {
    const d = delivery({ test: "block-once" });
    const { final, attempts } = await deliverLikeSvix(url(), secret, d, { timeoutMs: SHORT_TIMEOUT_MS });
    expect(attempts[0]).toBe("timeout");
    for (const attempt of attempts.slice(1, -1)) {
      expect(attempt === "timeout" || isStatus(attempt, 409), JSON.stringify(attempt)).toBe(true);
    }
    expect(final).toMatchObject({ status: 200, body: { handled: true, id: d.id, pid: instance.pid } });
    expect(kinds(files.lines(), d.id)).toEqual(["started", "handled"]);
  });

  it("killed mid-delivery (SIGKILL): the retry reaches a fresh instance and is handled once", async () => {
    const doomed = await startInstance(fixture(script), env());
    let fresh: Instance | undefined;
    try {
      const d = delivery({ test: "block-once" });
      const first = fetch(`${doomed.url}${path}`, { method: "POST", body: d.body, headers: d.headers }).then(
        () => "answered",
        () => "network error",
      );
      await vi.waitFor(() => expect(files.lines()).toContainEqual({ kind: "started", id: d.id, pid: doomed.pid }), {
        timeout: 10_000,
        interval: 20,
      });
      await doomed.stop("SIGKILL");
      expect(await first).toBe("network error");
      // What a supervisor does: start the app again. Its retries get 409 until the dead
      // process's lease expires, then it handles the delivery.
      fresh = await startInstance(fixture(script), env());
      const { final, attempts } = await deliverLikeSvix(`${fresh.url}${path}`, secret, d);
      for (const attempt of attempts.slice(0, -1)) expect(attempt).toMatchObject({ status: 409 });
      expect(final).toMatchObject({ status: 200, body: { handled: true, id: d.id, pid: fresh.pid } });
      expect(files.lines().filter((line) => line.id === d.id)).toEqual([
        { kind: "started", id: d.id, pid: doomed.pid },
        { kind: "handled", id: d.id, pid: fresh.pid },
      ]);
    } finally {
      await Promise.all([doomed.stop("SIGKILL"), fresh?.stop()]);
    }
  });
});
