// What the worker core writes from stored, sender-chosen text: the default onError line, the
// dead letters' summaries and the jobs CLI's text, every id and reason escaped; and its
// options' checks at creation.
import { format } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { upsertSuccessEvent, verifiedWebhook } from "../src/testing.js";
import {
  createJobRunner,
  type DeadLetterAccess,
  type DeadLetterSummary,
  deadLetterDetails,
  deadLetterSummary,
  exponentialBackoff,
  runDeadLetterCommand,
  toJobData,
} from "../src/worker.js";
import { MemoryQueue } from "./memory-queue.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const HOSTILE_ID = "msg_1\n[colivara-webhooks-memory] forged\u001b[2J\u009b\u2028";
const ESCAPED_ID = "msg_1\\x0a[colivara-webhooks-memory] forged\\x1b[2J\\x9b\\u2028";
const QUEUE = { creator: "createMemoryWorker", system: "memory", scope: "@colivara/webhooks-memory" };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the default onError", () => {
  it("prints one line, prefixed with the queue package, with the delivery id escaped", async () => {
    const printed: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
    const runner = createJobRunner(
      {
        on: {
          "upsert.success": () => {
            throw new Error("handler down");
          },
        },
      },
      QUEUE,
    );
    const queue = new MemoryQueue();
    queue.add(verifiedWebhook(upsertSuccessEvent(), { id: HOSTILE_ID }));
    await queue.work(runner, HOSTILE_ID);
    expect(printed).toEqual([`[colivara-webhooks-memory] Error: handler down (delivery ${ESCAPED_ID})`]);
    expect(printed.join("\n")).not.toMatch(RAW_CONTROL);
  });
});

describe("dead letters", () => {
  const webhook = verifiedWebhook(upsertSuccessEvent(), { id: HOSTILE_ID });
  const at = new Date("2026-01-01T00:00:00.000Z");

  it("summaries escape the event type and the reason; a refused one gives its refusal", () => {
    const data = { ...toJobData(webhook), event: { ...webhook.event, type: "upsert.success\u001b[2J" } } as never;
    const failed = deadLetterSummary({
      id: "job_1",
      kind: "failed",
      data,
      failedReason: "boom\nforged",
      attemptsMade: 5,
      at,
    });
    expect(failed).toEqual({
      id: "job_1",
      kind: "failed",
      type: "upsert.success\\x1b[2J",
      reason: "boom\\x0aforged",
      attemptsMade: 5,
      at,
    });
    const refused = { ...toJobData(webhook), refused: "refused\u009b2J" };
    expect(
      deadLetterSummary({ id: "job_2", kind: "refused", data: refused, failedReason: "ignored", attemptsMade: 0, at })
        .reason,
    ).toBe("refused\\x9b2J");
  });

  it("details carry the delivery as the adapters give it, and the request's trace context", () => {
    const traceContext = { traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01` };
    const data = toJobData(webhook, traceContext);
    const details = deadLetterDetails({ id: "job_1", kind: "failed", data, failedReason: "x", attemptsMade: 1, at }, [
      "stack",
    ]);
    expect(details.webhook).toEqual(webhook);
    expect(details.webhook.timestamp).toBeInstanceOf(Date);
    expect(details).toMatchObject({ traceContext, stacktrace: ["stack"] });
  });

  function access(letters: DeadLetterSummary[]): DeadLetterAccess {
    return {
      queueName: "hooks\u001b[2J",
      list: async () => letters,
      show: async (id) =>
        id === "job_1"
          ? deadLetterDetails(
              { id, kind: "failed", data: toJobData(webhook), failedReason: "x", attemptsMade: 1, at },
              [],
            )
          : undefined,
      replay: async (id) => (id === "job_1" ? "replayed" : "not_found"),
    };
  }
  const options = { json: false, usage: "Usage: jobs <list|show <id>|replay <id>>" };

  it("the jobs CLI's list escapes each id, and says when there is none", async () => {
    const letter = deadLetterSummary({
      id: HOSTILE_ID,
      kind: "failed",
      data: toJobData(webhook),
      failedReason: "boom",
      attemptsMade: 5,
      at,
    });
    const listed = await runDeadLetterCommand(access([letter]), ["list"], options);
    expect(listed).toEqual({
      code: 0,
      stdout: `${ESCAPED_ID}  failed  upsert.success  2026-01-01T00:00:00.000Z  boom`,
    });
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
    expect(await runDeadLetterCommand(access([]), ["list"], options)).toEqual({ code: 0, stdout: "No dead letters." });
  });

  it("the jobs CLI's show and replay: found, not found (the id and queue escaped), and usage", async () => {
    expect(await runDeadLetterCommand(access([]), ["replay", "job_1"], options)).toEqual({
      code: 0,
      stdout: "Replayed job_1: back to waiting.",
    });
    expect(await runDeadLetterCommand(access([]), ["replay", "job_1"], { ...options, json: true })).toEqual({
      code: 0,
      stdout: '"replayed"',
    });
    const shown = await runDeadLetterCommand(access([]), ["show", "job_1"], options);
    expect(JSON.parse(shown.stdout ?? "")).toMatchObject({ id: "job_1", webhook: { id: HOSTILE_ID } });
    const missing = await runDeadLetterCommand(access([]), ["show", "nope\u001b[2J"], options);
    expect(missing).toEqual({ code: 1, stderr: "No dead letter with id nope\\x1b[2J in queue hooks\\x1b[2J." });
    expect(await runDeadLetterCommand(access([]), ["show"], options)).toEqual({ code: 2, stderr: options.usage });
  });
});

describe("options", () => {
  it("backoff doubles from delayMs up to maxDelayMs", () => {
    const backoff = { delayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 10].map((failures) => exponentialBackoff(failures, backoff))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
    const runner = createJobRunner({ on: {}, backoff: { delayMs: 10 } }, QUEUE);
    expect(runner).toMatchObject({ attempts: 5, backoff: { delayMs: 10, maxDelayMs: 3_600_000 } });
    expect(runner.backoffDelay(3)).toBe(40);
  });

  it("bad options throw invalid_config at creation, naming the worker's creator", () => {
    const create = (options: object) => () => createJobRunner(options as never, QUEUE);
    expect(create({})).toThrow(/createMemoryWorker needs on: \{ "upsert\.success": fn/);
    expect(create({ on: { "upsert.sucess": () => {} } })).toThrow(
      /unexpected key "upsert\.sucess" \(did you mean "upsert\.success"\?\)/,
    );
    expect(create({ on: { "upsert.fail": "fn" } })).toThrow(/on\["upsert\.fail"\] must be a function/);
    expect(create({ on: {}, attempts: 0 })).toThrow(/attempts must be a positive number/);
    expect(create({ on: {}, backoff: { delayMs: -1 } })).toThrow(
      /backoff\.delayMs must be a positive number of milliseconds/,
    );
    expect(create({ on: {}, metadata: {} })).toThrow(/metadata must be a Standard Schema/);
    expect(create({ on: {}, onError: "log" })).toThrow(/createMemoryWorker's onError must be a function/);
    expect(create({ on: {} })).not.toThrow();
  });
});
