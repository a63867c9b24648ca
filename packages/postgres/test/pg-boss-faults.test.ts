// Processes that die at the worst moment, on pg-boss: real PostgreSQL, receivers and workers
// in processes of their own (the built package: `pnpm build` first). Each test sends several
// deliveries and counts, per delivery, how often a handler finished it: once, twice, never.
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import { type Child, start, until, workspace } from "../../bullmq/test/support/processes.js";
import { migrate } from "../src/index.js";
import { adminPool, tableName } from "./clients.js";
import { delivery, idOf, jobCount, post } from "./pg-boss-support.js";

const secret = newSecret();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
let server: PostgresServer;
let admin: pg.Pool;
let children: Child[] = [];
const space = workspace();

beforeAll(async () => {
  server = await startPostgresServer();
  admin = adminPool(server.url);
}, 60_000);
afterEach(async () => {
  await Promise.all(children.map((child) => child.stop("SIGKILL")));
  children = [];
});
afterAll(async () => {
  await admin?.end();
  await server?.remove();
  space.remove();
});

async function setUp(options: { dedupe?: boolean } = {}) {
  const queue = `q-${Math.random().toString(36).slice(2, 10)}`;
  const table = tableName();
  const jobsTable = options.dedupe === false ? "none" : tableName();
  await migrate(admin, { table });
  if (jobsTable !== "none") await migrate(admin, { table: jobsTable });
  const env = {
    DATABASE_URL: server.url,
    QUEUE: queue,
    TABLE: table,
    JOBS_TABLE: jobsTable,
    COLIVARA_WEBHOOK_SECRET: secret,
    ...space.env,
  };
  const spawn = async (kind: "receiver" | "worker") => {
    const child =
      kind === "receiver"
        ? await start(process.execPath, [fixture("pg-boss-receiver.mjs")], /listening on (http:\/\/[\d.:]+)/, env)
        : await start(process.execPath, [fixture("pg-boss-worker.mjs")], /worker ready/, env);
    children.push(child);
    return child;
  };
  return { queue, spawn };
}

const lines = () => space.lines<{ kind: string; id: string; pid: number }>();
const handled = (id: string) => lines().filter((line) => line.kind === "handled" && line.id === id);

/** Per delivery, how often a handler finished it. */
function counts(ids: string[]) {
  const tally = { once: 0, twice: 0, never: 0 };
  for (const id of ids) {
    const n = handled(id).length;
    if (n === 0) tally.never++;
    else if (n === 1) tally.once++;
    else tally.twice++;
  }
  return tally;
}

test("workers SIGKILLed mid-handler: pg-boss retries each job after its expiry and another worker handles it, once", async () => {
  const { spawn } = await setUp();
  // The first worker is the only one until it is killed: it takes every job.
  const first = await spawn("worker");
  const receiver = await spawn("receiver");
  const sent = Array.from({ length: 6 }, (_, n) => delivery(secret, `kill-${n}.pdf`, { test: "block-once" }));
  for (const one of sent) expect((await post(`${receiver.ready}/hand-off`, one)).status).toBe(202);
  await until("the first worker started every job", () =>
    sent.every((one) => lines().some((l) => l.kind === "started" && l.id === idOf(one))),
  );
  await first.stop("SIGKILL");
  const second = await spawn("worker");
  await until("every delivery handled", () => sent.every((one) => handled(idOf(one)).length > 0));
  const tally = counts(sent.map(idOf));
  console.log("worker SIGKILLed mid-handler:", tally);
  expect(tally).toEqual({ once: 6, twice: 0, never: 0 });
  expect(new Set(sent.flatMap((one) => handled(idOf(one)).map((line) => line.pid)))).toEqual(new Set([second.pid]));
}, 90_000);

/** Handled, marked handled, killed before pg-boss completed the job: the retry must not run the handler again. */
async function markedThenKilled(dedupe: boolean) {
  const { spawn } = await setUp({ dedupe });
  const first = await spawn("worker");
  const receiver = await spawn("receiver");
  const sent = Array.from({ length: 4 }, (_, n) => delivery(secret, `mark-${n}.pdf`, { test: "mark-then-hang" }));
  for (const one of sent) expect((await post(`${receiver.ready}/hand-off`, one)).status).toBe(202);
  if (dedupe) {
    await until("every claim marked handled", () =>
      sent.every((one) => lines().some((l) => l.kind === "marked" && l.id === idOf(one))),
    );
  } else {
    await until("every delivery handled", () => sent.every((one) => handled(idOf(one)).length > 0));
  }
  await first.stop("SIGKILL");
  await spawn("worker");
  return sent.map(idOf);
}

test("workers SIGKILLed after the handler finished, before pg-boss completed the job: the claim keeps it at once", async () => {
  const ids = await markedThenKilled(true);
  // The retried jobs run and find the claim marked handled: completed without a second run.
  await until("every job completed", async () => {
    const { rows } = await admin.query(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE state = 'completed' AND data->>'id' = ANY($1)",
      [ids],
    );
    return (rows[0] as { n: number }).n === ids.length;
  });
  const tally = counts(ids);
  console.log("worker SIGKILLed after the handler, with the claim:", tally);
  expect(tally).toEqual({ once: 4, twice: 0, never: 0 });
}, 90_000);

test("the same without a dedupe claim: each delivery is handled twice (at-least-once), which the claim prevents", async () => {
  const ids = await markedThenKilled(false);
  await until("every delivery handled again", () => ids.every((id) => handled(id).length === 2));
  const tally = counts(ids);
  console.log("worker SIGKILLed after the handler, no claim:", tally);
  expect(tally).toEqual({ once: 0, twice: 4, never: 0 });
}, 90_000);

test("receivers SIGKILLed right after their 202: every job is in PostgreSQL and handled once", async () => {
  const { queue, spawn } = await setUp();
  // A worker creates the queues, then stops: the jobs wait in PostgreSQL with no worker.
  await (await spawn("worker")).stop("SIGTERM");
  const sent = Array.from({ length: 6 }, (_, n) => delivery(secret, `receiver-${n}.pdf`));
  for (const one of sent) {
    const receiver = await spawn("receiver");
    const answer = await post(`${receiver.ready}/hand-off`, one);
    await receiver.stop("SIGKILL");
    expect(answer.status).toBe(202);
    expect(await jobCount(admin, queue, idOf(one))).toBe(1);
  }
  await spawn("worker");
  await until("every delivery handled", () => sent.every((one) => handled(idOf(one)).length > 0));
  const tally = counts(sent.map(idOf));
  console.log("receiver SIGKILLed after its 202:", tally);
  expect(tally).toEqual({ once: 6, twice: 0, never: 0 });
}, 90_000);
