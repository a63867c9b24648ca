// Type-level: a `metadata` schema types `event.metadata` everywhere the core hands out an
// event; without one it stays Record<string, unknown>. `pnpm typecheck` checks this file
// (the @ts-expect-error lines must stay errors); vitest runs it as a smoke test.
import type { StandardSchemaV1 as OfficialStandardSchemaV1 } from "@standard-schema/spec";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type ColivaraEvent,
  type ColivaraWebhookOptions,
  createVerifier,
  createWebhookHandler,
  type FetchWebhookHandler,
  type StandardSchemaV1,
  type UpsertFailEvent,
  type UpsertSuccessEvent,
  type VerifiedWebhook,
  type WebhookHandlers,
} from "../src/index.js";
import { upsertFailEvent, upsertSuccessEvent, verifiedWebhook } from "../src/testing.js";

const Meta = z.object({ tenant: z.string(), year: z.number().optional() });
type Meta = z.infer<typeof Meta>;
// Runtime calls below only build handlers; they need a secret to be created.
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("metadata types", () => {
  it("copies the spec faithfully: schemas of either interface fit the other", () => {
    expectTypeOf<StandardSchemaV1<unknown, Meta>>().toExtend<OfficialStandardSchemaV1<unknown, Meta>>();
    expectTypeOf<OfficialStandardSchemaV1<unknown, Meta>>().toExtend<StandardSchemaV1<unknown, Meta>>();
    expectTypeOf(Meta).toExtend<StandardSchemaV1<unknown, Meta>>();
  });

  it("defaults to Record<string, unknown>", () => {
    expectTypeOf<UpsertSuccessEvent["metadata"]>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<Extract<ColivaraEvent, { type: "upsert.fail" }>["metadata"]>().toEqualTypeOf<
      Record<string, unknown>
    >();
    createWebhookHandler(
      async ({ event }) => {
        if (event.type === "upsert.success") expectTypeOf(event.metadata).toEqualTypeOf<Record<string, unknown>>();
      },
      { secret },
    );
  });

  it("types the Fetch handler from the schema (zod, valibot, arktype)", () => {
    createWebhookHandler(
      async ({ event }) => {
        if (event.type === "unknown") return;
        expectTypeOf(event.metadata).toEqualTypeOf<Meta>();
        // @ts-expect-error: not a field of the schema
        event.metadata.tenantId;
      },
      { metadata: Meta, secret },
    );
    createWebhookHandler(
      async ({ event }) => {
        if (event.type === "upsert.success") expectTypeOf(event.metadata).toEqualTypeOf<{ tenant: string }>();
      },
      { metadata: v.object({ tenant: v.string() }), secret },
    );
    createWebhookHandler(
      async ({ event }) => {
        if (event.type === "upsert.fail") expectTypeOf(event.metadata.tenant).toEqualTypeOf<string>();
      },
      { metadata: type({ tenant: "string" }), secret },
    );
  });

  it("types the schema's output, not its input", () => {
    const Dated = z.object({ uploaded: z.string().transform((s) => new Date(s)) });
    createWebhookHandler(
      async ({ event }) => {
        if (event.type === "upsert.success") expectTypeOf(event.metadata.uploaded).toEqualTypeOf<Date>();
      },
      { metadata: Dated, secret },
    );
  });

  it("types the handler map, and refuses a handler typed against other metadata", () => {
    createWebhookHandler(undefined, {
      secret,
      metadata: Meta,
      on: {
        "upsert.success": (event, webhook) => {
          expectTypeOf(event.metadata).toEqualTypeOf<Meta>();
          expectTypeOf(webhook.event.metadata).toEqualTypeOf<Meta>();
        },
        "upsert.fail": (event) => {
          // @ts-expect-error: year is a number
          event.metadata.year?.toUpperCase();
        },
      },
    });
    createWebhookHandler(undefined, {
      secret,
      on: {
        // @ts-expect-error: typed metadata without a schema would be a cast
        "upsert.success": (_event: UpsertSuccessEvent<Meta>) => {},
      },
    });
  });

  it("keeps the public names, with defaults", () => {
    expectTypeOf<WebhookHandlers>().toEqualTypeOf<WebhookHandlers<Record<string, unknown>>>();
    expectTypeOf<FetchWebhookHandler>().toEqualTypeOf<FetchWebhookHandler<Record<string, unknown>>>();
    expectTypeOf<ColivaraWebhookOptions>().toEqualTypeOf<ColivaraWebhookOptions<Record<string, unknown>>>();
    expectTypeOf<VerifiedWebhook>().toEqualTypeOf<VerifiedWebhook<ColivaraEvent>>();
  });

  it("types createVerifier", async () => {
    const verifier = createVerifier({ secret, metadata: Meta });
    const verify = () => verifier.verify("", {});
    expectTypeOf<Awaited<ReturnType<typeof verify>>>().toEqualTypeOf<VerifiedWebhook<ColivaraEvent<Meta>>>();
  });

  it("types the test factories", () => {
    const event = upsertSuccessEvent({ metadata: { tenant: "acme" } });
    expectTypeOf(event).toEqualTypeOf<UpsertSuccessEvent<{ tenant: string }>>();
    expectTypeOf(upsertFailEvent()).toEqualTypeOf<UpsertFailEvent>();
    // @ts-expect-error: checked against the schema's type
    upsertFailEvent<Meta>({ metadata: { tenant: 1 } });
    const on: WebhookHandlers<Meta> = {};
    const typed = upsertSuccessEvent<Meta>({ metadata: { tenant: "acme" } });
    on["upsert.success"]?.(typed, verifiedWebhook(typed));
    expectTypeOf(verifiedWebhook(typed)).toEqualTypeOf<VerifiedWebhook<UpsertSuccessEvent<Meta>>>();
  });
});
