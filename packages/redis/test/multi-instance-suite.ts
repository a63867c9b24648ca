// Exactly-once across instances: two app instances in separate processes share one real
// store server (redis-server by default); deliveries are signed by the svix package and sent
// over real HTTP. Run for each adapter (its fixture) and for each of the store's clients.
// Other stores (the Postgres package's) run the same suite through `SuiteOptions.store`.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Delivery, newId, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import {
  type Answer,
  deliver,
  fixture,
  type Instance,
  post,
  type RecordLine,
  startInstances,
  workspace,
} from "./instances.js";

/** A store server the instances share, started once per test file. */
export interface SharedStore {
  /** For the test titles: "Redis". */
  name: string;
  /** Each client the suite runs with (its own describe), as the fixtures' environment names it. */
  clients: string[];
  /** Starts the server; `env(client)` is what an instance needs to reach it through `client`. */
  start(): Promise<{ env(client: string): Record<string, string>; stop(): Promise<void> }>;
}

/** The default: a throwaway redis-server, through ioredis and node-redis (see fixtures/instance-kit.mjs). */
export const REDIS_STORE: SharedStore = {
  name: "Redis",
  clients: ["ioredis", "redis"],
  async start() {
    const redis: RedisServer = await startRedisServer();
    return { env: (client) => ({ REDIS_URL: redis.url, REDIS_CLIENT: client }), stop: () => redis.stop() };
  },
};

function handledCount(lines: RecordLine[], id: string): number {
  return lines.filter((line) => line.kind === "handled" && line.id === id).length;
}

function isDuplicate(answer: Answer): boolean {
  return answer.status === 200 && answer.body?.duplicate === true;
}

function isHandled(answer: Answer): boolean {
  return answer.status === 200 && answer.body?.handled === true;
}

export interface SuiteOptions {
  /** Adapter name for the test titles. */
  name: string;
  /** File in test/fixtures that starts one instance. */
  script: string;
  /** Webhook route of the fixture. Default /webhooks/colivara. */
  path?: string;
  /** The store the instances share. Default {@link REDIS_STORE}. */
  store?: SharedStore;
  /** More environment for every instance (the Next.js fixture's build directory). */
  env?: Record<string, string>;
}

export function multiInstanceSuite(options: SuiteOptions): void {
  const script = fixture(options.script);
  const path = options.path ?? "/webhooks/colivara";
  const secret = newSecret();
  const store = options.store ?? REDIS_STORE;
  let server: Awaited<ReturnType<SharedStore["start"]>>;

  beforeAll(async () => {
    server = await store.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe.each(store.clients)(`${options.name} instances sharing ${store.name} through %s`, (client) => {
    const files = workspace();
    const prefix = `test:${randomUUID()}:`;
    let a: Instance;
    let b: Instance;
    const urls = () => [a.url, b.url];

    const env = (extra: Record<string, string> = {}) => ({
      COLIVARA_WEBHOOK_SECRET: secret,
      ...options.env,
      ...server.env(client),
      PREFIX: prefix,
      RECORD_FILE: files.recordFile,
      MARKER_DIR: files.markerDir,
      ...extra,
    });

    beforeAll(async () => {
      [a, b] = (await startInstances(script, [env(), env()])) as [Instance, Instance];
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      files.remove();
    });

    /**
     * Middleware adapters settle the claim once the response is written, so a copy sent
     * right after the first answer may still meet the claim (409) for a moment: it is
     * retried like Svix would, and must end as a duplicate, never run the handler again.
     */
    const expectDuplicate = async (targets: string[], d: Delivery) => {
      const { final, attempts } = await deliver(targets, d, { path });
      expect(final).toMatchObject({ status: 200, body: { duplicate: true } });
      for (const attempt of attempts.slice(0, -1)) expect(attempt).toMatchObject({ status: 409 });
    };

    const delivery = (metadata: Record<string, unknown> = {}, id = newId()): Delivery =>
      sign(secret, successPayload({ metadata }), { id });

    it("runs the handler once for a delivery sent to both instances at the same time", async () => {
      const deliveries = Array.from({ length: 10 }, () => delivery({ delayMs: 150 }));
      for (const d of deliveries) {
        // Four copies at once, two to each instance; then retry every non-2xx like Svix.
        const first = await Promise.all([a.url, b.url, a.url, b.url].map((url) => post(url, d, path)));
        expect(first.filter(isHandled)).toHaveLength(1);
        for (const answer of first.filter((x) => !isHandled(x))) {
          expect([200, 409]).toContain(answer.status);
          if (answer.status === 200) expect(answer.body).toEqual({ duplicate: true });
          else expect(answer.body).toMatchObject({ error: { code: "delivery_in_progress" } });
          await expectDuplicate(urls(), d);
        }
      }
      const lines = files.lines();
      for (const d of deliveries) expect(handledCount(lines, d.id)).toBe(1);
    });

    it("answers 409 on both instances while one is still handling the delivery", async () => {
      const d = delivery({ test: "hold" });
      const holding = post(a.url, d, path);
      await vi.waitFor(() => expect(files.lines()).toContainEqual({ kind: "started", id: d.id, pid: a.pid }), {
        timeout: 10_000,
        interval: 20,
      });
      const inProgress = { status: 409, body: { error: { code: "delivery_in_progress" } } };
      expect(await post(b.url, d, path)).toMatchObject(inProgress);
      expect(await post(a.url, d, path)).toMatchObject(inProgress);
      writeFileSync(join(files.markerDir, `release-${d.id}`), "");
      expect(await holding).toMatchObject({ status: 200, body: { handled: true, pid: a.pid } });
      await expectDuplicate([b.url], d);
      expect(handledCount(files.lines(), d.id)).toBe(1);
    });

    it("answers a later copy on either instance as a duplicate, also when Svix re-signs the retry", async () => {
      const d = delivery();
      const handled = await post(a.url, d, path);
      expect(handled).toMatchObject({ status: 200, body: { handled: true, id: d.id } });
      await expectDuplicate([b.url], d);
      await expectDuplicate([a.url], d);
      // A Svix retry carries the same id with a fresh timestamp and signature.
      const resigned = sign(secret, JSON.parse(d.body) as Record<string, unknown>, { id: d.id });
      await expectDuplicate([b.url], resigned);
      expect(handledCount(files.lines(), d.id)).toBe(1);
    });

    it("retries a delivery whose first attempt failed and handles it once", async () => {
      const d = delivery({ test: "fail-once" });
      const failed = await post(a.url, d, path);
      expect(failed.status).toBe(500);
      // The claim is released when the handler fails, so the retry on the other instance runs.
      const { final, attempts } = await deliver([b.url], d, { path });
      expect(final).toMatchObject({ status: 200, body: { handled: true, pid: b.pid } });
      for (const attempt of attempts.slice(0, -1)) expect(attempt).toMatchObject({ status: 409 });
      await expectDuplicate([a.url], d);
      const lines = files.lines().filter((line) => line.id === d.id);
      expect(lines.map((line) => line.kind)).toEqual(["failed", "handled"]);
    });

    it("handles each of 1,000 concurrent deliveries with 30% duplicates exactly once", {
      timeout: 120_000,
    }, async () => {
      const unique = Array.from({ length: 700 }, () => delivery({ delayMs: Math.floor(Math.random() * 20) }));
      const copies = Array.from({ length: 300 }, (_, i) => {
        const original = unique[Math.floor(Math.random() * unique.length)] as Delivery;
        // Half are the same bytes again, half re-signed retries with the same id.
        return i % 2 === 0
          ? original
          : sign(secret, JSON.parse(original.body) as Record<string, unknown>, { id: original.id });
      });
      const all = [...unique, ...copies].sort(() => Math.random() - 0.5);
      const results = await Promise.all(all.map((d) => deliver(urls(), d, { path, deadlineMs: 90_000 })));

      const lines = files.lines();
      const byId = new Map<string, Answer[]>();
      for (const [i, { final }] of results.entries()) {
        const id = (all[i] as Delivery).id;
        byId.set(id, [...(byId.get(id) ?? []), final]);
      }
      expect(byId.size).toBe(700);
      const times = [...byId.keys()].map((id) => handledCount(lines, id));
      console.log(
        `${options.name} on ${store.name} through ${client}: of 700 ids (1,000 deliveries), ${times.filter((n) => n === 1).length} handled once, ${times.filter((n) => n > 1).length} more than once, ${times.filter((n) => n === 0).length} never`,
      );
      const wrong: string[] = [];
      for (const [id, finals] of byId) {
        const handled = finals.filter(isHandled).length;
        const duplicates = finals.filter(isDuplicate).length;
        if (handledCount(lines, id) !== 1 || handled !== 1 || duplicates !== finals.length - 1) wrong.push(id);
      }
      expect(wrong).toEqual([]);
      // Both instances took part.
      const pids = new Set(lines.filter((line) => byId.has(line.id)).map((line) => line.pid));
      expect(pids).toEqual(new Set([a.pid, b.pid]));
    });

    it("hands a delivery whose instance was killed mid-handler to the other instance after the lease", async () => {
      const lease = { LEASE_SECONDS: "1" };
      const [doomed, survivor] = (await startInstances(script, [env(lease), env(lease)])) as [Instance, Instance];
      try {
        const d = delivery({ test: "block-once" });
        const stuck = post(doomed.url, d, path).then(
          (answer) => answer,
          (error: unknown) => error as Error,
        );
        await vi.waitFor(() => expect(files.lines()).toContainEqual({ kind: "started", id: d.id, pid: doomed.pid }), {
          timeout: 10_000,
          interval: 20,
        });
        await doomed.stop("SIGKILL");
        expect(await stuck).toBeInstanceOf(Error);
        // Until the dead instance's lease expires the survivor answers 409; then it handles it.
        const { final, attempts } = await deliver([survivor.url], d, { path, deadlineMs: 20_000 });
        expect(final).toMatchObject({ status: 200, body: { handled: true, pid: survivor.pid } });
        for (const attempt of attempts.slice(0, -1)) expect(attempt).toMatchObject({ status: 409 });
        const lines = files.lines().filter((line) => line.id === d.id);
        expect(lines).toEqual([
          { kind: "started", id: d.id, pid: doomed.pid },
          { kind: "handled", id: d.id, pid: survivor.pid },
        ]);
        await expectDuplicate([survivor.url], d);
      } finally {
        await Promise.all([doomed.stop("SIGKILL"), survivor.stop()]);
      }
    });
  });
}
