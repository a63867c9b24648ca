// Type-level: the worker's `metadata` schema types its handler map.
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { type ColivaraWorkerOptions, createColivaraWorker } from "../src/index.js";

describe("typed metadata in the worker", () => {
  it("types the handlers from the schema", () => {
    const typed = () =>
      createColivaraWorker("colivara-webhooks", {
        connection: {},
        metadata: z.object({ tenant: z.string() }),
        on: {
          "upsert.success": (event) => {
            expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>();
            // @ts-expect-error: not a field of the schema
            event.metadata.owner;
          },
        },
      });
    expectTypeOf(typed).toBeFunction();
    expectTypeOf<ColivaraWorkerOptions["on"]>().toEqualTypeOf<ColivaraWorkerOptions<Record<string, unknown>>["on"]>();
  });
});
