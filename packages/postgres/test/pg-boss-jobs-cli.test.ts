// The built `colivara-webhooks-pg-jobs` bin against a real PostgreSQL with pg-boss: a
// delivery the worker failed for good and one an inline route refused are listed, shown
// (the sender's control characters and bidi overrides escaped) and replayed to a running
// worker; wrong ids, wrong usage, wrong queues and unreachable databases end it with a
// message and an exit code, creating nothing.
import { execFile } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { permanentFailure } from "@colivara/webhooks";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newSecret } from "../../../test/support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import { createPgBossWorker, pgBossHandOff } from "../src/index.js";
import { adminPool, CLIENTS, type Connected } from "./clients.js";
import { delivery, freshQueue, idOf, post, type Served, serve, startBoss } from "./pg-boss-support.js";

const BIN = fileURLToPath(new URL("../bin/colivara-webhooks-pg-jobs.mjs", import.meta.url));
// Raw in the output, these would drive the terminal or reorder what it shows; `\n` ends lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const EVIL_NAME = "report\u001b[2J\u202egpj.exe\u0085.pdf";

const secret = newSecret();
let server: PostgresServer;
let admin: pg.Pool;
let boss: PgBoss;
let pool: Connected;
let app: Served;
let queue: string;
let refuse = true;
const runs: string[] = [];
const stops: Array<() => Promise<unknown>> = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function jobs(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const options = { env: { PATH: process.env.PATH ?? "", ...env } };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as Run;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const on = (...args: string[]) => jobs([...args, "--database-url", server.url, "--queue", queue]);

beforeAll(async () => {
  server = await startPostgresServer();
  admin = adminPool(server.url);
  ({ boss } = await startBoss(server.url, { supervise: false, schedule: false }));
  pool = await CLIENTS["pg Pool"](server.url);
  const fresh = await freshQueue(boss, admin);
  queue = fresh.queue;
  const worker = await createPgBossWorker(boss, {
    queue,
    pollingIntervalSeconds: 0.5,
    onError: () => undefined,
    on: {
      "upsert.success": (event) => {
        runs.push(event.name);
        if (refuse) throw permanentFailure(`document ${event.name} is gone`);
      },
    },
  });
  const handOff = pgBossHandOff(boss, { client: pool.client, queue, table: fresh.table });
  app = await serve(secret, handOff, {
    "upsert.success": (event) => {
      throw permanentFailure(`no tenant for ${event.name}`);
    },
  });
  stops.push(app.close, () => worker.stop());
}, 60_000);

afterAll(async () => {
  for (const stop of stops.splice(0)) await stop();
  await pool?.close();
  await boss?.stop({ graceful: false });
  await admin?.end();
  await server?.remove();
});

describe("colivara-webhooks-pg-jobs", () => {
  it("lists, shows and replays a delivery the worker failed for good; a running worker handles the replay", async () => {
    const sent = delivery(secret, EVIL_NAME);
    expect((await post(`${app.base}/hand-off`, sent)).status).toBe(202);
    await vi.waitFor(async () => expect((await on("list")).stdout).toContain(idOf(sent)), {
      timeout: 20_000,
      interval: 200,
    });

    const list = await on("list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${idOf(sent)}  failed  upsert\\.success  \\S+  permanent_failure: `));
    expect(list.stdout).toContain("report\\x1b[2J\\u202egpj.exe\\x85.pdf");
    expect(list.stdout).not.toMatch(RAW_UNSAFE);

    const show = await on("show", idOf(sent));
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: idOf(sent),
      kind: "failed",
      webhook: { event: { name: EVIL_NAME } },
    });
    const json = await on("list", "--json");
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: idOf(sent), kind: "failed" })]);

    refuse = false;
    const replay = await on("replay", idOf(sent));
    expect(replay).toMatchObject({ code: 0, stdout: `Replayed ${idOf(sent)}: back to waiting.\n` });
    await vi.waitFor(() => expect(runs).toEqual([EVIL_NAME, EVIL_NAME]), { timeout: 20_000 });
    expect((await on("list")).stdout).toBe("No dead letters.\n");
    expect((await on("replay", idOf(sent))).code).toBe(1);
    refuse = true;
  });

  it("lists and replays a delivery an inline route refused, with $DATABASE_URL", async () => {
    const sent = delivery(secret, "inline.pdf");
    expect((await post(`${app.base}/inline`, sent)).status).toBe(422);
    const env = { DATABASE_URL: server.url };
    const list = await jobs(["list", "--json", "--queue", queue], env);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: idOf(sent), kind: "refused", reason: "no tenant for inline.pdf" }),
    ]);
    refuse = false;
    expect((await jobs(["replay", idOf(sent), "--queue", queue], env)).code).toBe(0);
    await vi.waitFor(() => expect(runs).toContain("inline.pdf"), { timeout: 20_000 });
    expect((await jobs(["list", "--queue", queue], env)).stdout).toBe("No dead letters.\n");
    refuse = true;
  });

  it("an unknown id exits 1 and names it escaped", async () => {
    for (const command of ["show", "replay"]) {
      const run = await on(command, "msg_nope\u001b[2J");
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`No dead letter with id msg_nope\\x1b[2J in queue ${queue}.dead-letters.\n`);
    }
  });

  it("bad usage exits 2 with the usage", async () => {
    for (const args of [["show"], ["frobnicate"], [], ["list", "--bogus"]]) {
      const run = await on(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("Usage: colivara-webhooks-pg-jobs");
    }
    const bare = await jobs(["list"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("pass --database-url or set $DATABASE_URL");
  });

  it("a wrong schema or queue exits 1 and creates neither", async () => {
    const schema = await jobs(["list", "--database-url", server.url, "--schema", "not_pgboss"]);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain("pg-boss is not installed in schema not_pgboss");
    const wrongQueue = await jobs(["list", "--database-url", server.url, "--queue", "no-such-queue"]);
    expect(wrongQueue.code).toBe(1);
    expect(wrongQueue.stderr).toContain("Queue no-such-queue.dead-letters does not exist");
    const { rows: schemas } = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = 'not_pgboss'");
    expect(schemas).toEqual([]);
    const { rows: queues } = await admin.query("SELECT name FROM pgboss.queue WHERE name LIKE 'no-such-queue%'");
    expect(queues).toEqual([]);
  });

  it("an unreachable database exits 1 without printing its password", async () => {
    const closed = await closedPort();
    const refused = await jobs(["list", "--database-url", `postgres://u:hunter2@127.0.0.1:${closed}/db`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^colivara-webhooks-pg-jobs: cannot use the database \(.*ECONNREFUSED.*\): check/);
    expect(refused.stderr).not.toContain("hunter2");
  });

  it("a database that accepts the connection and never answers ends it with exit 1, not a hang", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    stops.push(() => {
      for (const socket of sockets) socket.destroy();
      return closeServer(silent);
    });
    const port = (silent.address() as { port: number }).port;
    const run = await jobs(["list", "--database-url", `postgres://u:hunter2@127.0.0.1:${port}/db`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("connection timeout");
  }, 30_000);
});

/** A port nothing listens on: one a server had, closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await closeServer(probe);
  return port;
}

function closeServer(net: Server): Promise<void> {
  return new Promise((resolve) => net.close(() => resolve()));
}
