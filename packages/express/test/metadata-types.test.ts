// Type-level: without a Register declaration, the schema types the handler map; `req.colivara`
// stays Record<string, unknown> (test/types-register checks the declared form).
import express from "express";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { verifyColivara } from "../src/index.js";

describe("typed metadata on Express", () => {
  it("types the handler map from the schema", () => {
    const app = express();
    app.post(
      "/webhooks/colivara",
      verifyColivara({
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        metadata: z.object({ tenant: z.string() }),
        on: {
          "upsert.success": (event) => {
            expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>();
            // @ts-expect-error: not a field of the schema
            event.metadata.owner;
          },
        },
      }),
    );
    app.post("/other", (req) => {
      if (req.colivara.event.type === "upsert.fail") {
        expectTypeOf(req.colivara.event.metadata).toEqualTypeOf<Record<string, unknown>>();
      }
    });
  });
});
