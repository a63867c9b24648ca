// Type-level: the middleware's `metadata` schema types `c.get("colivara")` and the handler map.
import { Hono } from "hono";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { colivaraWebhook } from "../src/index.js";

const Meta = z.object({ tenant: z.string() });

describe("typed metadata on Hono", () => {
  it("types the context variable from the schema", () => {
    const app = new Hono();
    app.post(
      "/webhooks/colivara",
      colivaraWebhook({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", metadata: Meta }),
      (c) => {
        const { event } = c.get("colivara");
        if (event.type === "upsert.success") {
          expectTypeOf(event.metadata).toEqualTypeOf<{ tenant: string }>();
          // @ts-expect-error: not a field of the schema
          event.metadata.owner;
        }
        return c.body(null, 204);
      },
    );
    colivaraWebhook({
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      metadata: Meta,
      on: { "upsert.fail": (event) => expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>() },
    });
  });
});
