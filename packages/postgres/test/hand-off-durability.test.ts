// What a 202 promises when the store itself crashes right after it: 40 deliveries handed off
// (each answered 202), then the store is SIGKILLed and started again on the same data, and
// the jobs still there are counted. pg-boss answers once the transaction committed (WAL,
// fsync on): every one survives. BullMQ answers once Redis holds the job in memory: what
// survives depends on Redis persistence: with Redis's default snapshots (no AOF) none does,
// with an AOF every one does (a power cut, not measured here, can still lose up to 1 s of it).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { bullmqHandOff } from "@colivara/webhooks-bullmq";
import { verifyColivara } from "@colivara/webhooks-express";
import { Queue } from "bullmq";
import express from "express";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../../../test/support/free-port.js";
import { newSecret } from "../../../test/support/independent-signer.js";
import { startPostgresServer } from "../../../test/support/postgres-server.js";
import { findRedisServer } from "../../../test/support/redis-server.js";
import { start } from "../../bullmq/test/support/processes.js";
import { pgBossHandOff, pgBossJobId } from "../src/index.js";
import { adminPool, CLIENTS } from "./clients.js";
import { delivery, freshQueue, idOf, post, serve, startBoss } from "./pg-boss-support.js";

const secret = newSecret();
const COUNT = 40;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8").length > 0;
  } catch {
    return false;
  }
};

it("pg-boss: every delivery answered 202 is still there after PostgreSQL is SIGKILLed", async () => {
  const server = await startPostgresServer({ fsync: true });
  const admin = adminPool(server.url);
  const { boss } = await startBoss(server.url, { supervise: false, schedule: false });
  const { queue, table } = await freshQueue(boss, admin);
  const connected = await CLIENTS["pg Pool"](server.url);
  const app = await serve(secret, pgBossHandOff(boss, { client: connected.client, queue, table }));
  try {
    const sent = Array.from({ length: COUNT }, (_, n) => delivery(secret, `pg-${n}.pdf`));
    for (const one of sent) expect((await post(`${app.base}/hand-off`, one)).status).toBe(202);
    // The postmaster is a backend's parent: killed as a crash kills it, then its backends go.
    const { rows } = await admin.query("SELECT pg_backend_pid() AS pid");
    const backend = (rows[0] as { pid: number }).pid;
    const postmaster = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${backend}/status`, "utf8"))?.[1]);
    process.kill(postmaster, "SIGKILL");
    while (alive(postmaster) || alive(backend)) await sleep(20);
    await sleep(500);
    await server.restart();
    const survived = await admin.query(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])",
      [queue, sent.map((one) => pgBossJobId(idOf(one)))],
    );
    const counts = { answered202: COUNT, survived: (survived.rows[0] as { n: number }).n };
    console.log("pg-boss, PostgreSQL SIGKILLed after the 202s:", counts);
    expect(counts.survived).toBe(COUNT);
  } finally {
    await app.close();
    await connected.close();
    await boss.stop({ graceful: false }).catch(() => undefined);
    await admin.end();
    await server.remove();
  }
}, 120_000);

const REDIS_PERSISTENCE = [
  // Redis's own defaults: snapshots after 3600 s/1 change, 300 s/100, 60 s/10000; no AOF.
  {
    name: "default snapshots, no AOF",
    flags: ["--appendonly", "no", "--save", "3600 1 300 100 60 10000"],
    survives: false,
  },
  // The AOF is written before Redis replies: a killed process loses nothing (a power cut may lose ~1 s).
  {
    name: "AOF, fsync every second",
    flags: ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
    survives: true,
  },
];

it.each(REDIS_PERSISTENCE)(
  "BullMQ, Redis with $name: what survives a SIGKILL after the 202s",
  async ({ name, flags, survives }) => {
    const dir = mkdtempSync(join(tmpdir(), "colivara-redis-default-"));
    dirs.push(dir);
    const port = await freePort();
    // Redis's own defaults: snapshots after 3600 s/1 change, 300 s/100, 60 s/10000; no AOF.
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...flags];
    let redis = await start(findRedisServer(), args, /Ready to accept connections/);
    const url = `redis://127.0.0.1:${port}`;
    const queue = new Queue("durability", { connection: { url, enableOfflineQueue: false, maxRetriesPerRequest: 1 } });
    queue.on("error", () => undefined);
    await queue.waitUntilReady();
    const app = express();
    app.post("/hand-off", verifyColivara({ secret, handOff: bullmqHandOff(queue) }));
    const listening = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    try {
      const sent = Array.from({ length: COUNT }, (_, n) => delivery(secret, `redis-${n}.pdf`));
      for (const one of sent) expect((await post(`${base}/hand-off`, one)).status).toBe(202);
      await queue.close();
      await redis.stop("SIGKILL");
      redis = await start(findRedisServer(), args, /Ready to accept connections/);
      const reader = new Queue("durability", { connection: { url } });
      const jobs = await Promise.all(sent.map((one) => reader.getJob(idOf(one))));
      await reader.close();
      const counts = { answered202: COUNT, survived: jobs.filter(Boolean).length };
      console.log(`BullMQ, Redis with ${name}, SIGKILLed after the 202s:`, counts);
      if (survives) expect(counts.survived).toBe(COUNT);
      else expect(counts.survived).toBeLessThan(COUNT);
    } finally {
      listening.close();
      await queue.close();
      await redis.stop("SIGKILL");
    }
  },
  120_000,
);
