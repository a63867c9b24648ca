// Every writer of the core escapes what came from the network, at the point where it enters a
// line, a record, a warning or an error: the pipeline driven as an adapter drives it, with
// header values no HTTP parser would pass (a newline in svix-id and X-Forwarded-For), the
// default stderr output, a real pino logger, and the hostile table run through the pipeline.
import { format } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signIndependently } from "../../../test/support/independent-signer.js";
import type { WebhookVerificationError } from "../src/shared/errors.js";
import type { StandardSchemaV1 } from "../src/shared/standard-schema.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { metadataIssues } from "../src/verify/metadata-issues.js";
import { HOSTILE_CASES, LOG_FORGING_ID, NOW_S as TABLE_NOW_S, SECRET as TABLE_SECRET } from "./hostile-cases.js";
import { harness } from "./pipeline-harness.js";
import { memoryPino, NOW_S, pipelineFor, SECRET, signed } from "./record-support.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORGED_LINE = /^\[colivara-webhooks\] 204 forged/m;

/** Everything the default writers print, as Node's console formats it. */
function captureConsole(): string[] {
  const written: string[] = [];
  const keep = (...args: unknown[]) => void written.push(format(...args));
  vi.spyOn(console, "warn").mockImplementation(keep);
  vi.spyOn(console, "error").mockImplementation(keep);
  return written;
}

function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) stringsIn(item, found);
  return found;
}

afterEach(() => vi.restoreAllMocks());

/** A schema that refuses every key of an object with the key in its path. */
const refusesEveryKey: StandardSchemaV1<unknown, Record<string, unknown>> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: (value) => ({
      issues: Object.keys(value as object).map((key) => ({ message: "must not be here", path: [key] })),
    }),
  },
};

describe("the core's writers escape what the network sent", () => {
  const delivery = signed(upsertSuccessEvent({ metadata: { [LOG_FORGING_ID]: 1 } }), {
    id: LOG_FORGING_ID,
    timestamp: NOW_S - 170,
  });
  const hostile = {
    ...delivery,
    headers: { ...delivery.headers, "x-forwarded-for": `203.0.113.9${LOG_FORGING_ID}, 10.0.0.1` },
  };

  it("default stderr output: the refusal, the drift warning and onError stay one line each, nothing raw", async () => {
    const written = captureConsole();
    const { receive } = pipelineFor({ trustProxy: true, metadata: refusesEveryKey });
    expect((await receive(hostile)).status).toBe(422);
    await receive({ ...hostile, headers: { ...hostile.headers, "svix-signature": "v1,AAAA" } });
    const output = written.join("\n");
    expect(output).not.toMatch(RAW_CONTROL);
    expect(output).not.toMatch(FORGED_LINE);
    expect(written.filter((line) => line.startsWith("[colivara-webhooks]"))).toHaveLength(3);
    expect(output).toContain("warning clock_drift: Delivery msg_1\\x0a[colivara-webhooks] 204 forged\\x0d");
    expect(output).toContain("from 203.0.113.9msg_1\\x0a[colivara-webhooks]");
  });

  it("pino: records, warnings and the error's issues hold escaped strings only", async () => {
    const { logger, lines } = memoryPino();
    const errors: unknown[] = [];
    const { receive } = pipelineFor({
      trustProxy: true,
      metadata: refusesEveryKey,
      log: logger,
      onError: (error) => errors.push(error),
    });
    expect((await receive(hostile)).status).toBe(422);
    expect(lines.map((line) => line.warning ?? line.outcome)).toEqual(["clock_drift", "aborted"]);
    for (const text of stringsIn(lines)) expect(text).not.toMatch(RAW_CONTROL);
    const [error] = errors as WebhookVerificationError[];
    expect(error?.message).not.toMatch(RAW_CONTROL);
    for (const text of stringsIn(error?.issues)) expect(text).not.toMatch(RAW_CONTROL);
  });

  it("a slow handler's warning escapes the id and the event type", async () => {
    const { logger, lines } = memoryPino();
    let finish = () => {};
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const warn = logger.warn.bind(logger);
    logger.warn = ((...args: Parameters<typeof warn>) => {
      warn(...args);
      finish();
    }) as typeof logger.warn;
    const { receive } = pipelineFor({ log: logger, slowHandlerMs: 1 }, () => slow);
    const body = JSON.stringify({ type: LOG_FORGING_ID });
    const delivery = signIndependently(SECRET, body, { id: LOG_FORGING_ID, timestamp: NOW_S });
    expect((await receive({ headers: delivery.headers, body })).status).toBe(204);
    const warning = lines.find((line) => line.warning === "slow_handler");
    expect(warning?.eventType).toBe(
      "msg_1\\x0a[colivara-webhooks] 204 forged\\x0d\\x1b[2J\\x85\\x9b31m\\u2028\\u2029\\u202e",
    );
    for (const text of stringsIn(lines)) expect(text).not.toMatch(RAW_CONTROL);
  });

  it("a 405 names the method escaped, in its answer and its line", async () => {
    const written = captureConsole();
    const { receive } = pipelineFor({});
    const response = await receive({ ...hostile, method: `GET${LOG_FORGING_ID}` });
    expect(response.status).toBe(405);
    expect(String(response.body)).toContain("got GETmsg_1\\\\x0a[colivara-webhooks] 204 forged");
    expect(written).toHaveLength(1);
    expect(written[0]).not.toMatch(RAW_CONTROL);
  });

  it("a route's 5xx reaches onError with the delivery id escaped", async () => {
    const reported: unknown[] = [];
    const { receive } = harness({
      secret: SECRET,
      now: () => NOW_S * 1000,
      log: false,
      onError: (e) => reported.push(e),
    });
    const result = await receive({ method: "POST", headers: hostile.headers, body: hostile.body });
    result.answer?.(500);
    const [error] = reported as Error[];
    expect(error?.message).toContain("answered 500 for delivery msg_1\\x0a[colivara-webhooks] 204 forged");
    expect(error?.message).not.toMatch(RAW_CONTROL);
  });

  it("issue paths: keys escaped and bounded", () => {
    const long = `${"k".repeat(500)}\n`;
    const [issue] = metadataIssues([{ message: "bad", path: [long, { key: LOG_FORGING_ID }, 3] }], {});
    const [first, second, third] = issue?.path ?? [];
    expect(String(first).length).toBeLessThan(100);
    expect(second).toBe("msg_1\\x0a[colivara-webhooks] 204 forged\\x0d\\x1b[2J\\x85\\x9b31m\\u2028\\u2029\\u202e");
    expect(third).toBe(3);
  });
});

describe("the hostile table through the pipeline", () => {
  it.each(
    HOSTILE_CASES.filter((c) => {
      const { body } = c.delivery();
      return typeof body === "string" || body instanceof Uint8Array;
    }).map((c) => [c.name, c] as const),
  )("%s: the default output and pino hold no raw control character", async (_name, testCase) => {
    const written = captureConsole();
    const { logger, lines } = memoryPino();
    const { body, headers } = testCase.delivery();
    for (const log of [undefined, logger]) {
      const { pipeline } = pipelineFor({
        secret: TABLE_SECRET,
        now: () => TABLE_NOW_S * 1000,
        log,
        ...testCase.options,
      });
      await new Promise<void>((resolve) =>
        pipeline.run({
          method: "POST",
          headers: headers as Record<string, string>,
          readBody: (done) => done(undefined, body as Uint8Array),
          send: () => resolve(),
          remoteAddress: () => LOG_FORGING_ID,
          call: () => undefined,
        }),
      );
    }
    expect(written.join("\n")).not.toMatch(RAW_CONTROL);
    for (const text of stringsIn(lines)) expect(text).not.toMatch(RAW_CONTROL);
  });
});
