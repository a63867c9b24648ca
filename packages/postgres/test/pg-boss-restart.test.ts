// PostgreSQL stopped and started again while deliveries are being handed off to pg-boss,
// behind a real Express server: while it is down every delivery answers 503
// handoff_unavailable, the sender retries each one (as Svix does) and, once it is back,
// each is stored: counted per delivery, jobs stored once, twice or never.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IndependentDelivery, newSecret } from "../../../test/support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import { pgBossHandOff } from "../src/index.js";
import { adminPool, CLIENTS, type ClientName } from "./clients.js";
import { type Answer, delivery, freshQueue, idOf, jobCount, post, serve, startBoss } from "./pg-boss-support.js";

const secret = newSecret();
let server: PostgresServer;
let admin: pg.Pool;
let boss: PgBoss;

beforeAll(async () => {
  server = await startPostgresServer();
  admin = adminPool(server.url);
  ({ boss } = await startBoss(server.url, { supervise: false, schedule: false }));
}, 60_000);

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await admin?.end();
  await server?.remove();
});

/** Sends `sent` until it is acknowledged (2xx), as Svix retries a 503: every answer, in order. */
async function sendUntilAcknowledged(url: string, sent: IndependentDelivery): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let attempt = 0; attempt < 600; attempt++) {
    const answer = await post(url, sent).catch(() => ({ status: 0, body: undefined }));
    answers.push(answer);
    if (answer.status === 202 || answer.status === 200) return answers;
    await sleep(50);
  }
  return answers;
}

describe.each<ClientName>(["pg Pool", "postgres.js"])(
  "pgBossHandOff on %s, PostgreSQL restarted mid-traffic",
  (name) => {
    it("503 handoff_unavailable while it is down, 202 after; every delivery stored once", async () => {
      const { queue, table } = await freshQueue(boss, admin);
      const connected = await CLIENTS[name](server.url);
      const app = await serve(secret, pgBossHandOff(boss, { client: connected.client, queue, table, timeoutMs: 2000 }));
      const url = `${app.base}/hand-off`;
      const deliveries = Array.from({ length: 24 }, (_, n) => delivery(secret, `doc-${n}.pdf`));
      const answers = new Map<string, Answer[]>();
      let acknowledged = 0;
      try {
        let next = 0;
        const lane = async () => {
          while (next < deliveries.length) {
            const sent = deliveries[next++] as IndependentDelivery;
            const got = await sendUntilAcknowledged(url, sent);
            answers.set(idOf(sent), got);
            acknowledged++;
          }
        };
        const traffic = Promise.all(Array.from({ length: 4 }, lane));
        while (acknowledged < 6) await sleep(5);
        await server.stop();
        const probe = await post(url, delivery(secret, "probe.pdf"));
        expect(probe).toMatchObject({ status: 503, body: { error: { code: "handoff_unavailable" } } });
        await sleep(500);
        await server.restart();
        await traffic;

        const refusedDuringOutage = [...answers.values()].flat().filter((answer) => answer.status === 503).length;
        const counts = { once: 0, twice: 0, never: 0 };
        for (const sent of deliveries) {
          const jobs = await jobCount(admin, queue, idOf(sent));
          const accepted = (answers.get(idOf(sent)) ?? []).filter((answer) => answer.status === 202).length;
          if (jobs === 0) counts.never++;
          else if (jobs > 1 || accepted > 1) counts.twice++;
          else counts.once++;
        }
        console.log(`${name}: ${refusedDuringOutage} answers were 503 during the outage; stored`, counts);
        expect(refusedDuringOutage).toBeGreaterThan(0);
        expect(counts).toEqual({ once: deliveries.length, twice: 0, never: 0 });
        // Every copy sent now is a duplicate.
        for (const sent of deliveries.slice(0, 4)) expect((await post(url, sent)).status).toBe(200);
      } finally {
        await app.close();
        await connected.close();
      }
    }, 120_000);
  },
);
