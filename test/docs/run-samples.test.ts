// Every README and docs sample that is a server (or a route, a Fetch handler, a receive function) is
// started as written and sent deliveries signed by the independent signer: a genuine
// success and failure reach the sample's code, a forged one is refused with 401 and a
// replay answers 200 {"duplicate":true}. The Redis samples run against a real redis-server,
// the PostgreSQL ones against a throwaway PostgreSQL cluster.
import { randomBytes } from "node:crypto";
import { MIGRATION_SQL } from "@colivara/webhooks-postgres";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newSecret, signIndependently } from "../support/independent-signer.js";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";
import { markdownFiles, nameOf, removeSamples, type Sample, samplesOf, writeSamples } from "./readme-samples.js";
import { closeSampleServers, epilogueOf, kindOf, type SampleKind, startSample } from "./sample-servers.js";

const secret = newSecret();
const runnable = markdownFiles()
  .flatMap(samplesOf)
  .filter((sample) => kindOf(sample) !== undefined);

// How many samples of each README and docs page run; a sample that stops being runnable fails here.
const expected: Record<string, SampleKind[]> = {
  "README.md": ["local-app", "local-app", "next-app", "next-pages", "fetch-default", "fetch-default"],
  "packages/core/README.md": ["receive", "fetch-default"],
  "packages/express/README.md": ["listens", "listens"],
  "packages/fastify/README.md": ["listens", "listens"],
  "packages/hono/README.md": ["listens", "fetch-default", "listens"],
  "packages/nestjs/README.md": ["listens", "listens", "listens"],
  "packages/next/README.md": ["next-app", "next-app", "next-pages", "next-app"],
  "packages/postgres/README.md": ["listens", "listens", "next-app"],
  "packages/redis/README.md": ["listens", "listens", "next-app"],
  "docs/guide/express.md": ["local-app", "local-app", "local-app"],
  "docs/guide/fastify.md": ["local-app", "local-app"],
  "docs/guide/fetch.md": ["fetch-default", "fetch-default", "receive"],
  "docs/guide/hono.md": ["fetch-default"],
  "docs/guide/next-app.md": ["next-app"],
  "docs/guide/next-pages.md": ["next-pages"],
  "docs/index.md": ["listens"],
  "docs/production/hand-off.md": ["local-app"],
  "docs/production/observability.md": ["local-app"],
  "docs/production/serverless.md": ["next-app"],
};

let redis: RedisServer;
let postgres: PostgresServer;
const output: string[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  vi.stubEnv("REDIS_URL", redis.url);
  postgres = await startPostgresServer();
  vi.stubEnv("DATABASE_URL", postgres.url);
  // The Next.js sample expects the table, as its README says: migrated at deploy time.
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(MIGRATION_SQL).finally(() => admin.end());
  vi.stubEnv("COLIVARA_WEBHOOK_SECRET", secret);
  for (const method of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(args.map(String).join(" "));
    });
  }
});

afterAll(async () => {
  await closeSampleServers();
  removeSamples(runnable, "run");
  // The samples own their Redis clients and keep them open: they report the lost connection
  // through their error listeners (console, silenced here) until this process ends.
  await redis.stop();
  await postgres?.remove();
});

describe("README and docs samples that are servers run as written", () => {
  it("finds the expected runnable samples in each README and docs page", () => {
    const found: Record<string, SampleKind[]> = {};
    for (const sample of runnable)
      found[sample.readme] = [...(found[sample.readme] ?? []), kindOf(sample) as SampleKind];
    expect(found).toEqual(expected);
  });

  const files = new Map<Sample, string>();
  beforeAll(() => {
    const written = writeSamples(runnable, "run", epilogueOf);
    for (const [i, sample] of runnable.entries()) files.set(sample, written[i] as string);
  });

  it.each(runnable.map((sample) => [nameOf(sample), sample] as const))("%s", async (_name, sample) => {
    const started = await startSample(sample, files.get(sample) as string, { COLIVARA_WEBHOOK_SECRET: secret });
    const tag = randomBytes(4).toString("hex");
    const documentId = 700_000 + Number.parseInt(tag.slice(0, 4), 16);
    const success = signIndependently(
      secret,
      JSON.stringify({
        type: "upsert.success",
        message: "Document upserted successfully",
        id: documentId,
        name: `report-${tag}.pdf`,
        metadata: {},
        url: "https://example.com/report.pdf",
        num_pages: 3,
        collection_name: "default_collection",
      }),
    );
    const failure = signIndependently(
      secret,
      JSON.stringify({
        type: "upsert.fail",
        message: "There was an error processing your document",
        name: `broken-${tag}.pdf`,
        metadata: {},
        collection_name: "default_collection",
        error: "Failed to save pages",
      }),
    );
    const forged = signIndependently(
      newSecret(),
      JSON.stringify({ ...JSON.parse(success.body as string), name: `forged-${tag}.pdf` }),
    );
    const asSent = (delivery: typeof success) => ({ body: delivery.body as string, headers: delivery.headers });

    output.length = 0;
    const answers = [await started.send(asSent(success)), await started.send(asSent(failure))];
    for (const answer of answers) expect(answer.status, answer.body).toBeGreaterThanOrEqual(200);
    for (const answer of answers) expect(answer.status, answer.body).toBeLessThan(300);
    if (answers.every((answer) => answer.status === 202)) {
      // A hand-off sample: the evidence is the two jobs in Redis, keyed by delivery id.
      const ids = [success.headers["svix-id"], failure.headers["svix-id"]] as string[];
      expect(await storedJobs(redis.url, ids)).toBe(2);
    } else {
      // The sample's own code saw this run's events: it printed or answered something only
      // this run's deliveries carry (a name, the document id, a delivery id), or the types of
      // both events (a sample that prints `event.type`). One bare type proves little.
      const seen = [...output, ...answers.map((answer) => answer.body)].join("\n");
      const ids = [success.headers["svix-id"], failure.headers["svix-id"]] as string[];
      const marks = [`report-${tag}`, String(documentId), `broken-${tag}`, ...ids];
      const bothTypes = ["upsert.success", "upsert.fail"].every((type) => seen.includes(type));
      expect(marks.some((mark) => seen.includes(mark)) || bothTypes, `nothing of this run's events in:\n${seen}`).toBe(
        true,
      );
    }

    const refused = await started.send(asSent(forged));
    expect(refused.status).toBe(401);
    expect(output.join("\n")).not.toContain(`forged-${tag}`);

    if (started.dedupes) {
      // In middleware form the route answers before the handled mark is stored: a copy in
      // that moment is told 409 (in flight) and retried, as a sender does.
      let replay = await started.send(asSent(success));
      for (let attempt = 0; replay.status === 409 && attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        replay = await started.send(asSent(success));
      }
      expect(replay.status).toBe(200);
      expect(JSON.parse(replay.body)).toEqual({ duplicate: true });
    }
  });
});

/** How many of the deliveries are jobs of the samples' queue ("colivara-webhooks"). */
async function storedJobs(url: string, ids: string[]): Promise<number> {
  const client = new Redis(url);
  try {
    let stored = 0;
    for (const id of ids) stored += await client.exists(`bull:colivara-webhooks:${id}`);
    return stored;
  } finally {
    client.disconnect();
  }
}
