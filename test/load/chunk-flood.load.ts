// Bodies sent one byte per chunk, at every adapter (each a real server in its own process,
// its V8 heap capped as a container would): first one 1 MB body, measuring what the server
// holds while reading it; then concurrent such uploads with genuine deliveries in between.
// See README.md in this folder ("One-byte chunks").
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSecret } from "../conformance/deliveries.js";
import { loadConfig, report } from "./config.js";
import { floodUpload } from "./flood.js";
import { type Held, held, MiB, mib } from "./memory.js";
import { checkStderr } from "./stderr.js";
import { startTarget, type Target, type TargetName } from "./targets.js";
import { pool, Tally, Traffic } from "./traffic.js";

const config = loadConfig();
const FLOOD_TARGETS: TargetName[] = ["express", "fastify", "hono", "fetch", "next-app", "next-pages"];
const targets = process.env.LOAD_TARGETS ? config.targets.filter((name) => name !== "next-edge") : FLOOD_TARGETS;

/** One-byte chunks per upload: a 1 MB body, just under the default 1 MiB limit. */
const CHUNKS = Number(process.env.LOAD_FLOOD_CHUNKS || 1_000_000);
/** The heap cap of the servers here (`--max-old-space-size`); 0 for none. */
const HEAP_MIB = Number(process.env.LOAD_FLOOD_HEAP_MIB ?? 256);
/**
 * What a server may hold while a body of one-byte chunks is being read, over its baseline:
 * a few times the body (the body itself, its buffer's geometric headroom) plus a constant
 * (the last socket read's chunks not yet copied, the read buffer): about 4 MB for 1 MB. Before bodies were collected into one buffer this was about 200
 * bytes per byte.
 */
const HELD_BOUND = 3 * CHUNKS + MiB;
/** As in hostile-mix.load.ts: retained memory after the run, over the baseline. */
const RETAINED_BOUND = 16 * MiB;
/**
 * Long enough that no upload here is cut off, however busy the machine: the reading of every
 * byte is what is measured, and a 408 would free the body early. (A million one-byte chunks
 * through `next start` took over a minute on two saturated cores.)
 */
const READ_TIMEOUT_MS = 600_000;
/** Uploads of the concurrent phase, 4 at once (run.mjs: 4 at the CI size, 16 at full size). */
const FLOOD_UPLOADS = Number(process.env.LOAD_FLOOD_UPLOADS || 16);

describe.each(targets)("%s reading bodies sent in one-byte chunks", (name) => {
  const secret = newSecret();
  let target: Target;
  let startedAt = 0;
  let baseline: Held = { rss: 0, retained: 0 };
  const warmup = new Tally();
  const figures: Record<string, unknown> = { target: name, flood: true, chunks: CHUNKS, heapMiB: HEAP_MIB };

  beforeAll(async () => {
    startedAt = Date.now();
    target = await startTarget(name, secret, {
      heapMiB: HEAP_MIB > 0 ? HEAP_MIB : undefined,
      readTimeoutMs: READ_TIMEOUT_MS,
    });
    // Warm up the route and the reader on the same kind of traffic, then take the baseline.
    const traffic = new Traffic(target, secret, warmup);
    await pool(20, 4, () => traffic.genuine("warm-up"));
    await floodUpload(target.url, 10_000);
    traffic.close();
    await target.flush();
    baseline = await held(target.pid, target.memoryFile);
  }, 300_000);

  afterAll(async () => {
    await target?.stop();
    report(config, figures);
  });

  it(`holds a few times the body's size while ${CHUNKS.toLocaleString("en-US")} one-byte chunks arrive`, async () => {
    let whileReading: Held | undefined;
    const answer = await floodUpload(target.url, CHUNKS, {
      whileHeld: async () => {
        whileReading = await held(target.pid, target.memoryFile, 1);
      },
    });
    const growth = (whileReading as Held).retained - baseline.retained;
    figures.heldMiB = Number((growth / MiB).toFixed(1));
    console.info(
      `${name}: ${CHUNKS} one-byte chunks, heap + external while reading ${mib((whileReading as Held).retained)} MiB ` +
        `(baseline ${mib(baseline.retained)}): +${(growth / MiB).toFixed(1)} MiB; answered ${answer?.status}`,
    );
    // Refused by its signature once complete: the whole body was held when measured, not cut off.
    expect(answer?.status).toBe(401);
    expect(growth).toBeLessThanOrEqual(HELD_BOUND);
  });

  it("answers genuine deliveries exactly once among concurrent one-byte-chunk uploads", async () => {
    const tally = new Tally();
    const traffic = new Traffic(target, secret, tally);
    const answers: number[] = [];
    let over = false;
    const floods = pool(FLOOD_UPLOADS, 4, async () => {
      const answer = await floodUpload(target.url, CHUNKS);
      answers.push(answer?.status ?? 0);
    }).finally(() => {
      over = true;
    });
    let genuine = 0;
    const meanwhile = pool(4, 4, async () => {
      while (!over) {
        await traffic.genuine("valid during one-byte-chunk uploads");
        genuine++;
      }
    });
    await Promise.all([floods, meanwhile]);
    traffic.close();
    expect(target.exited()).toBeUndefined();
    await target.flush();
    const handled = new Map([...target.handled()].filter(([id]) => !warmup.genuine.has(id)));
    const { lost, doubly, forged } = tally.reconcile(handled);
    Object.assign(figures, { floods: answers.length, genuineDuringFloods: genuine, lost, doubly, forged });
    console.info(
      `${name}: ${answers.length} one-byte-chunk uploads (4 at once), ${genuine} genuine deliveries meanwhile`,
    );
    expect(answers.every((status) => status === 401)).toBe(true);
    expect(tally.violations).toEqual([]);
    expect({ lost, doubly, forged }).toEqual({ lost: 0, doubly: 0, forged: 0 });
    expect(genuine).toBeGreaterThan(0);
  });

  it("is still alive, wrote only the paced default log on stderr, and gives its memory back", async () => {
    expect(target.exited()).toBeUndefined();
    let after = await held(target.pid, target.memoryFile);
    for (let i = 0; i < 10 && after.retained > baseline.retained + RETAINED_BOUND; i++) {
      await sleep(1000);
      after = await held(target.pid, target.memoryFile);
    }
    figures.afterRetainedMiB = Number(mib(after.retained));
    figures.baselineRetainedMiB = Number(mib(baseline.retained));
    expect(after.retained).toBeLessThanOrEqual(baseline.retained + RETAINED_BOUND);
    await target.stop();
    const { unexpected, logged, bound } = checkStderr(target.stderr(), Date.now() - startedAt);
    expect(unexpected).toEqual([]);
    expect(logged).toBeLessThanOrEqual(bound);
  });
});
