import type { RegisteredMetadata } from "@colivara/webhooks";
import { verifyColivara } from "@colivara/webhooks-express";
import express from "express";
import { expectTypeOf } from "vitest";
import { z } from "zod";
import { Meta } from "./register.js";

const app = express();

app.post("/webhooks/colivara", verifyColivara({ metadata: Meta }), (req, res) => {
  const { event } = req.colivara;
  if (event.type === "unknown") return res.sendStatus(204);
  expectTypeOf(event.metadata).toEqualTypeOf<z.infer<typeof Meta>>();
  expectTypeOf(event.metadata.plan).toEqualTypeOf<"free" | "pro" | undefined>();
  // @ts-expect-error: not a field of the registered metadata
  event.metadata.tenantId;
  return res.sendStatus(204);
});

// The handler map gets the schema's output too.
verifyColivara({
  metadata: Meta,
  on: { "upsert.success": (event) => expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>() },
});

// A schema whose output does not fit the registered type is refused.
// @ts-expect-error: tenant must be a string
verifyColivara({ metadata: z.object({ tenant: z.number() }) });

expectTypeOf<RegisteredMetadata>().toEqualTypeOf<z.infer<typeof Meta>>();
