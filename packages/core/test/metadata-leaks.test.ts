// No value of `metadata` reaches a message, whatever the schema library prints: a property
// over zod, valibot and arktype schemas (objects, records, enums, bounds, arrays at the root)
// and generated metadata holding marker strings and numbers at every depth, the root being an
// object, an array, a string or a number. Checked in the error's message and issues, the
// default onError's output, a pino record, and through the whole pipeline for object roots.
import { format } from "node:util";
import { type } from "arktype";
import fc from "fast-check";
import * as v from "valibot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defaultOnError } from "../src/record/default-log.js";
import { loggerSink } from "../src/record/delivery-log.js";
import { WebhookVerificationError } from "../src/shared/errors.js";
import type { VerifiedWebhook } from "../src/shared/events.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { createMetadataCheck, type MetadataSchema } from "../src/verify/metadata-check.js";
import { memoryPino, NOW_S, pipelineFor, signed } from "./record-support.js";

afterEach(() => vi.restoreAllMocks());

/** Strings and numbers no message of the pack writes by itself. */
const markerString = fc.nat({ max: 99_999 }).map((n) => `SECRET${n}x`);
const markerNumber = fc.nat({ max: 99_999 }).map((n) => -(1_000_000_000 + n) - 0.25);
/** How a marker can show in text: the string itself, or the number's digits. */
const markerText = (value: string | number) => (typeof value === "string" ? value : String(-value - 0.25).slice(0, 10));
const keyName = fc.constantFrom("tenant", "count", "tags", "nested", "a", "n", "plan", "seats", "id", "extra");

const leaf = fc.oneof(markerString, markerNumber);
const { value: metadataValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(keyName, tie("value"), { maxKeys: 5 }),
  ),
}));
/** Objects most of the time (the schemas' shape), anything at the root sometimes. */
const metadata = fc.oneof(fc.dictionary(keyName, metadataValue, { minKeys: 1, maxKeys: 6 }), metadataValue);

const SCHEMAS: Record<string, MetadataSchema<unknown>> = {
  "zod object": z.object({
    tenant: z.string(),
    count: z.number().int().min(5),
    tags: z.array(z.string()),
    nested: z.object({ a: z.string(), n: z.number() }),
  }),
  "zod enum, strict": z.strictObject({ plan: z.enum(["free", "pro"]), seats: z.literal(3) }),
  "zod record of strings": z.record(z.string(), z.string().max(3)),
  "zod array root": z.array(z.object({ id: z.number() })),
  "valibot object": v.object({
    tenant: v.string(),
    count: v.pipe(v.number(), v.minValue(5)),
    tags: v.array(v.string()),
    nested: v.object({ a: v.string(), n: v.number() }),
  }),
  "valibot picklist, strict": v.strictObject({ plan: v.picklist(["free", "pro"]), seats: v.literal(3) }),
  "valibot record of strings": v.record(v.string(), v.pipe(v.string(), v.maxLength(3))),
  "arktype object": type({
    tenant: "string",
    count: "number >= 5",
    tags: "string[]",
    nested: { a: "string", n: "number" },
  }),
  "arktype literals, exact": type({ "+": "reject", plan: "'free' | 'pro'", seats: "3" }),
  "arktype record of strings": type({ "[string]": "string <= 3" }),
  "arktype array root": type({ id: "number" }).array(),
  "arktype union root": type("string").or("number[]").or({ tenant: "string" }),
};

function webhookWith(value: unknown): VerifiedWebhook {
  return {
    id: "msg_leak_check",
    timestamp: new Date(NOW_S * 1000),
    event: { ...upsertSuccessEvent(), metadata: value as Record<string, unknown> },
  };
}

function leafTexts(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string" || typeof value === "number") found.push(markerText(value));
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) leafTexts(item, found);
  return found;
}

async function refusal(schema: MetadataSchema<unknown>, value: unknown): Promise<WebhookVerificationError | undefined> {
  try {
    await createMetadataCheck(schema)(webhookWith(value));
    return undefined;
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.code === "invalid_metadata") return error;
    throw error;
  }
}

/** Everything a refusal writes: the error, the default onError's output, a pino record. */
function writtenFor(error: WebhookVerificationError, value: unknown): string {
  const printed: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
  defaultOnError(error, { webhook: webhookWith(value) });
  vi.restoreAllMocks();
  const { logger, lines } = memoryPino();
  loggerSink(logger).record(
    { outcome: "aborted", status: 422, code: "invalid_metadata", deliveryId: "msg_leak_check" },
    error,
  );
  return [error.message, JSON.stringify(error.issues), ...printed, JSON.stringify(lines)].join("\n");
}

describe("invalid_metadata never writes a metadata value", () => {
  it.each(Object.entries(SCHEMAS))("%s", async (_name, schema) => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(metadata, async (value) => {
        const error = await refusal(schema, value);
        if (error === undefined) return;
        refused++;
        const written = writtenFor(error, value);
        for (const text of leafTexts(value)) expect(written).not.toContain(text);
        // Useful still: every issue names where, and says something.
        for (const issue of error.issues ?? []) expect(issue.message).not.toBe("");
      }),
      { numRuns: 150 },
    );
    expect(refused).toBeGreaterThan(50);
  });

  it("keeps a message that quotes no value, and says where", async () => {
    const error = await refusal(SCHEMAS["zod object"] as MetadataSchema<unknown>, {
      tenant: 4,
      count: 7,
      tags: [],
      nested: { a: "x", n: 1 },
    });
    expect(error?.issues).toEqual([{ path: ["tenant"], message: "Invalid input: expected string, received number" }]);
    expect(error?.message).toContain("metadata.tenant: Invalid input: expected string, received number");
  });

  it("through the pipeline: the log and onError of a refused delivery hold no value", async () => {
    const schemas = Object.values(SCHEMAS);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(keyName, metadataValue, { minKeys: 1, maxKeys: 6 }),
        fc.nat(),
        async (value, pick) => {
          const { logger, lines } = memoryPino();
          const reported: unknown[] = [];
          const schema = schemas[pick % schemas.length] as MetadataSchema;
          const { receive } = pipelineFor({ log: logger, metadata: schema, onError: (error) => reported.push(error) });
          const response = await receive(signed(upsertSuccessEvent({ metadata: value }), { id: `msg_${pick}` }));
          if (response.status !== 422) return;
          const [error] = reported as WebhookVerificationError[];
          const written = [response.body, JSON.stringify(lines), error?.message, JSON.stringify(error?.issues)].join(
            "\n",
          );
          for (const text of leafTexts(value)) expect(written).not.toContain(text);
        },
      ),
      { numRuns: 100 },
    );
  });
});
