// Type-level: the `metadata` schema types the App Router and Pages Router handlers and maps.
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { withColivaraWebhook, withColivaraWebhookPages } from "../src/index.js";

const Meta = z.object({ tenant: z.string() });

describe("typed metadata on Next.js", () => {
  it("types every form from the schema", () => {
    withColivaraWebhook(
      async ({ event }) => {
        if (event.type === "unknown") return;
        expectTypeOf(event.metadata).toEqualTypeOf<{ tenant: string }>();
        // @ts-expect-error: not a field of the schema
        event.metadata.owner;
      },
      { metadata: Meta },
    );
    withColivaraWebhook({
      metadata: Meta,
      on: { "upsert.success": (event) => expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>() },
    });
    withColivaraWebhookPages(
      async ({ event }, _req, res) => {
        if (event.type === "upsert.fail") expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>();
        res.status(204).end();
      },
      { metadata: Meta },
    );
    withColivaraWebhook(async ({ event }) => {
      if (event.type === "upsert.fail") expectTypeOf(event.metadata).toEqualTypeOf<Record<string, unknown>>();
    });
  });
});
