// The worker core's per-job run (src/worker/), driven by a queue of a few lines (memory-queue.ts)
// instead of BullMQ or pg-boss: retry or final, the in-flight wait, release and replay, the
// handled mark, the metadata check, and what reaches onError.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ErrorContext, memoryStore, permanentFailure, type WebhookHandlers } from "../src/index.js";
import { upsertFailEvent, upsertSuccessEvent, verifiedWebhook } from "../src/testing.js";
import { createJobRunner, type JobRunnerOptions } from "../src/worker.js";
import { type FailedForGood, MemoryQueue } from "./memory-queue.js";

const QUEUE = { creator: "createMemoryWorker", system: "memory", scope: "@colivara/webhooks-memory" };

function setUp<M>(on: WebhookHandlers<M>, options: Partial<JobRunnerOptions<M>> = {}) {
  const reported: { error: unknown; context: ErrorContext }[] = [];
  const runner = createJobRunner(
    { on, backoff: { delayMs: 25 }, onError: (error, context) => reported.push({ error, context }), ...options },
    QUEUE,
  );
  return { runner, reported, queue: new MemoryQueue() };
}

describe("a failed run: retried, or final", () => {
  it("retries a throwing handler, spending an attempt each time, and fails it for good on the last one", async () => {
    const { runner, queue, reported } = setUp(
      {
        "upsert.success": () => {
          throw new Error("database down");
        },
      },
      { attempts: 3 },
    );
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: "msg_retry" });
    queue.add(webhook);
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "waiting", attemptsMade: 1 });
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "waiting", attemptsMade: 2 });
    const job = await queue.work(runner, webhook.id);
    expect(job).toMatchObject({ state: "failed", attemptsMade: 3 });
    expect(job.failedReason).toBe("failed after 3 attempts: database down");
    expect((job.last as FailedForGood).failure).toMatchObject({ reason: "attempts_exhausted" });
    // Each failure reached onError once, with its delivery: the retries as thrown, the last as final.
    expect(reported.map(({ error }) => (error as Error).message)).toEqual([
      "database down",
      "database down",
      "failed after 3 attempts: database down",
    ]);
    expect(reported.every(({ context }) => context.webhook?.id === webhook.id)).toBe(true);
  });

  it("fails permanentFailure() for good on the first run, whatever attempts are left", async () => {
    const { runner, queue } = setUp({
      "upsert.fail": () => {
        throw permanentFailure("tenant acme was deleted");
      },
    });
    const webhook = verifiedWebhook(upsertFailEvent(), { id: "msg_permanent" });
    queue.add(webhook);
    const job = await queue.work(runner, webhook.id);
    expect(job).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(job.failedReason).toBe("permanent_failure: tenant acme was deleted");
  });

  it("runs nothing for a type without a handler, and completes the job", async () => {
    const { runner, queue } = setUp({ "upsert.fail": () => {} });
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: "msg_unhandled" });
    queue.add(webhook);
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "completed", last: "handled" });
  });
});

describe("the dedupe claim", () => {
  /** A runner with a memory store, its handler writing down each run, and one queued delivery. */
  function withStore(id: string) {
    const store = memoryStore();
    const runs: string[] = [];
    const { runner, queue } = setUp(
      { "upsert.success": (_event, webhook) => void runs.push(webhook.id) },
      { dedupe: store },
    );
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id });
    queue.add(webhook);
    return { runner, queue, store, runs, webhook };
  }

  it("waits for another run's claim without spending an attempt, then runs once it is released", async () => {
    const { runner, queue, store, runs, webhook } = withStore("msg_in_flight");
    const other = await store.claim(webhook.id);

    const waiting = await queue.work(runner, webhook.id);
    expect(waiting).toMatchObject({ state: "delayed", attemptsMade: 0, delayMs: 25 });
    expect(runs).toEqual([]);

    await store.release(webhook.id, other.token as string);
    expect(await queue.work(runner, webhook.id)).toMatchObject({
      state: "completed",
      attemptsMade: 0,
      last: "handled",
    });
    expect(runs).toEqual([webhook.id]);
  });

  it("releases the claim when a run fails for good, so a replay runs the handler again", async () => {
    const store = memoryStore();
    let refuse = true;
    const runs: string[] = [];
    const { runner, queue } = setUp(
      {
        "upsert.success": (_event, webhook) => {
          runs.push(webhook.id);
          if (refuse) throw permanentFailure("not yet");
        },
      },
      { dedupe: store },
    );
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: "msg_replay" });
    queue.add(webhook);
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "failed" });

    refuse = false;
    queue.replay(webhook.id);
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "completed", last: "handled" });
    expect(runs).toEqual([webhook.id, webhook.id]);
  });

  it("marks the delivery handled after its handler succeeded: a later run of the job is already_handled", async () => {
    const { runner, queue, store, runs, webhook } = withStore("msg_marked");
    expect(await queue.work(runner, webhook.id)).toMatchObject({ last: "handled" });
    expect((await store.claim(webhook.id)).status).toBe("done");
    // A queue running the job again (a stalled worker's job) does not run the handler twice.
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "completed", last: "already_handled" });
    expect(runs).toEqual([webhook.id]);
  });

  it("keys the store as the adapters do: a long id by its digest", async () => {
    const store = memoryStore();
    const { runner, queue } = setUp({ "upsert.success": () => {} }, { dedupe: store });
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: `msg_${"x".repeat(300)}` });
    queue.add(webhook);
    await queue.work(runner, webhook.id);
    const { dedupeKey } = await import("../src/adapter.js");
    expect((await store.claim(await dedupeKey(webhook.id))).status).toBe("done");
  });
});

describe("the metadata schema", () => {
  const metadata = z.object({ tenant: z.string().transform((tenant) => tenant.toUpperCase()) });

  it("hands the handler the schema's output", async () => {
    const seen: unknown[] = [];
    const { runner, queue } = setUp({ "upsert.success": (event) => void seen.push(event.metadata) }, { metadata });
    const webhook = verifiedWebhook(upsertSuccessEvent({ metadata: { tenant: "acme", extra: 1 } }), { id: "msg_fits" });
    queue.add(webhook);
    expect(await queue.work(runner, webhook.id)).toMatchObject({ state: "completed" });
    expect(seen).toEqual([{ tenant: "ACME" }]);
    // The job keeps the metadata as sent.
    expect(queue.jobs.get(webhook.id)?.data.event).toMatchObject({ metadata: { tenant: "acme", extra: 1 } });
  });

  it("fails a mismatch for good on its first run, runs no handler, and reports the invalid_metadata error itself", async () => {
    const runs: string[] = [];
    const { runner, queue, reported } = setUp(
      { "upsert.success": (_event, webhook) => void runs.push(webhook.id) },
      { metadata, attempts: 5 },
    );
    const webhook = verifiedWebhook(upsertSuccessEvent({ metadata: { tenant: 4242 } }), { id: "msg_misfit" });
    queue.add(webhook);
    const job = await queue.work(runner, webhook.id);
    expect(job).toMatchObject({ state: "failed", attemptsMade: 1 });
    expect(job.failedReason).toMatch(/^invalid_metadata: The metadata of upsert.success delivery msg_misfit/);
    expect(runs).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.error).toMatchObject({ code: "invalid_metadata", issues: [{ path: ["tenant"] }] });
    expect(JSON.stringify(reported[0]?.error) + job.failedReason).not.toContain("4242");
  });
});

describe("reports", () => {
  it("reports a failure the queue saw only when the run did not report it already", async () => {
    const { runner, queue, reported } = setUp({
      "upsert.success": () => {
        throw new Error("boom");
      },
    });
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: "msg_once" });
    queue.add(webhook);
    await queue.work(runner, webhook.id);
    for (const { error, data } of queue.failures) runner.reportFailure(error, data);
    expect(reported).toHaveLength(1);

    // A failure outside the run (a job the queue failed as stalled) reaches onError with its delivery.
    const stalled = new Error("job stalled more than allowable limit");
    runner.reportFailure(stalled, queue.add(verifiedWebhook(upsertSuccessEvent(), { id: "msg_stalled" })).data);
    expect(reported.at(-1)).toMatchObject({ error: stalled, context: { webhook: { id: "msg_stalled" } } });
  });

  it("a throwing onError changes nothing: the run still rejects with the handler's error", async () => {
    const runner = createJobRunner(
      {
        on: {
          "upsert.success": () => {
            throw new Error("database down");
          },
        },
        onError: () => {
          throw new Error("reporter down");
        },
      },
      QUEUE,
    );
    const queue = new MemoryQueue();
    const webhook = verifiedWebhook(upsertSuccessEvent(), { id: "msg_reporter" });
    queue.add(webhook);
    const job = await queue.work(runner, webhook.id);
    expect(job).toMatchObject({ state: "waiting", attemptsMade: 1 });
    expect((job.last as Error).message).toBe("database down");
  });
});
