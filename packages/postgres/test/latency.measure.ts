// What the PostgreSQL package costs a delivery, measured in one run so every figure sees the
// same machine: the store's claim + complete in a row, and the answer time of a hand-off
// (`enqueue` resolved: the job is stored) through pg-boss and, for comparison, through
// BullMQ on a redis-server without persistence and on one that fsyncs every write (as
// PostgreSQL with fsync on does every commit). Interleaved rounds. A measurement, not a test:
// `node bench/run.mjs --only postgres` runs it and prints the figures (MEASURE_COUNT
// deliveries per row, written as JSON to MEASURE_OUT).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HandOff, VerifiedWebhook } from "@colivara/webhooks";
import { bullmqHandOff } from "@colivara/webhooks-bullmq";
import { Queue } from "bullmq";
import { PgBoss } from "pg-boss";
import { it } from "vitest";
import { successPayload } from "../../../test/conformance/deliveries.js";
import { startPostgresServer } from "../../../test/support/postgres-server.js";
import { startPersistentRedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { type DedupeStore, migrate, pgBossHandOff, postgresStore } from "../src/index.js";
import { CLIENTS, type Connected } from "./clients.js";

const COUNT = Number(process.env.MEASURE_COUNT ?? 500);
const ROUNDS = 5;

type Step = (id: string) => Promise<unknown>;

/** Milliseconds of one `step`, `count` times in a row, on fresh ids. */
async function timings(step: Step, prefix: string, count: number): Promise<number[]> {
  const spent: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await step(`${prefix}_${i}`);
    spent.push(performance.now() - started);
  }
  return spent;
}

const claimComplete =
  (store: DedupeStore): Step =>
  async (id) => {
    const claim = await store.claim(id);
    await store.complete(id, claim.token as string);
  };

const event = successPayload() as unknown as VerifiedWebhook["event"];

const enqueue =
  (handOff: HandOff): Step =>
  async (id) => {
    const stored = await handOff.enqueue({ id: `msg_${id}`, timestamp: new Date(), event }, {});
    if (stored !== "stored") throw new Error(`${id} was not stored: ${stored}`);
  };

it("claim + complete, and pg-boss and BullMQ hand-offs", async () => {
  const server = await startPostgresServer({ fsync: true });
  const redis = await startRedisServer();
  const aofDir = mkdtempSync(join(tmpdir(), "colivara-measure-aof-"));
  const persistent = await startPersistentRedisServer(aofDir);
  const opened: Array<{ close(): Promise<unknown> }> = [];
  try {
    const pg: Connected = await CLIENTS["pg Pool"](server.url);
    const postgresJs: Connected = await CLIENTS["postgres.js"](server.url);
    opened.push(pg, postgresJs);
    await migrate(pg.client);
    const boss = new PgBoss(server.url);
    boss.on("error", () => undefined);
    await boss.start();
    opened.push({ close: () => boss.stop({ graceful: false }) });
    await boss.createQueue("colivara-webhooks");
    const queues = [new Queue("colivara-webhooks", { connection: { url: redis.url } })];
    queues.push(new Queue("colivara-webhooks", { connection: { url: persistent.url } }));
    opened.push(...queues);
    const steps: Record<string, Step> = {
      pg: claimComplete(postgresStore(pg.client)),
      postgresJs: claimComplete(postgresStore(postgresJs.client)),
      pgBossPg: enqueue(pgBossHandOff(boss, { client: pg.client })),
      pgBossPostgresJs: enqueue(pgBossHandOff(boss, { client: postgresJs.client })),
      bullmq: enqueue(bullmqHandOff(queues[0] as Queue)),
      bullmqFsync: enqueue(bullmqHandOff(queues[1] as Queue)),
    };
    const figures: Record<string, number[]> = {};
    for (const [name, step] of Object.entries(steps)) {
      await timings(step, `warm_${name}`, 100);
      figures[name] = [];
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, step] of Object.entries(steps)) {
        figures[name]?.push(...(await timings(step, `${name}_${round}`, Math.ceil(COUNT / ROUNDS))));
      }
    }
    const out = process.env.MEASURE_OUT;
    if (out !== undefined) writeFileSync(out, JSON.stringify(figures));
  } finally {
    await Promise.all(opened.map((connected) => connected.close()));
    await Promise.all([server.remove(), redis.stop(), persistent.stop()]);
    rmSync(aofDir, { recursive: true, force: true });
  }
});
