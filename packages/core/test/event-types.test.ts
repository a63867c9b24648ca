// Type-level tests: checked by `pnpm typecheck` (tsc) as well as run by vitest.
import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, expectTypeOf, it } from "vitest";
import type {
  ColivaraEvent,
  HeaderInput,
  KnownEventType,
  UnknownEvent,
  UpsertFailEvent,
  UpsertSuccessEvent,
  VerifiedWebhook,
  WebhookErrorCode,
} from "../src/index.js";
import { WebhookVerificationError } from "../src/index.js";

function describeEvent(event: ColivaraEvent): string {
  switch (event.type) {
    case "upsert.success":
      expectTypeOf(event).toEqualTypeOf<UpsertSuccessEvent>();
      expectTypeOf(event.num_pages).toEqualTypeOf<number>();
      expectTypeOf(event.id).toEqualTypeOf<number>();
      expectTypeOf(event.metadata).toEqualTypeOf<Record<string, unknown>>();
      return `stored ${event.name} (${event.num_pages} pages)`;
    case "upsert.fail":
      expectTypeOf(event).toEqualTypeOf<UpsertFailEvent>();
      expectTypeOf(event.error).toEqualTypeOf<string>();
      return `failed ${event.name}: ${event.error}`;
    case "unknown":
      expectTypeOf(event).toEqualTypeOf<UnknownEvent>();
      expectTypeOf(event.originalType).toEqualTypeOf<string>();
      expectTypeOf(event.payload).toEqualTypeOf<Readonly<Record<string, unknown>>>();
      return `unhandled ${event.originalType}`;
    default: {
      // Exhaustive: adding a case without handling it is a type error here.
      const unreachable: never = event;
      return unreachable;
    }
  }
}

describe("event types", () => {
  it("switch (event.type) narrows each known case and keeps unknown distinct", () => {
    expect(
      describeEvent({
        type: "upsert.success",
        message: "ok",
        id: 1,
        name: "a.pdf",
        metadata: {},
        url: "https://example.com/a.pdf",
        num_pages: 2,
        collection_name: "c",
      }),
    ).toBe("stored a.pdf (2 pages)");
    expect(describeEvent({ type: "unknown", originalType: "doc.deleted", payload: {} })).toBe("unhandled doc.deleted");
  });

  it("the unknown case does not overlap the known ones", () => {
    expectTypeOf<KnownEventType>().toEqualTypeOf<"upsert.success" | "upsert.fail">();
    expectTypeOf<ColivaraEvent["type"]>().toEqualTypeOf<"upsert.success" | "upsert.fail" | "unknown">();
    expectTypeOf<Extract<ColivaraEvent, { type: "unknown" }>>().toEqualTypeOf<UnknownEvent>();
    expectTypeOf<UnknownEvent>().not.toHaveProperty("num_pages");
    expectTypeOf<UnknownEvent["type"]>().toEqualTypeOf<"unknown">();
    expectTypeOf<Extract<ColivaraEvent, { type: KnownEventType }>>().toEqualTypeOf<
      UpsertSuccessEvent | UpsertFailEvent
    >();
  });

  it("VerifiedWebhook carries id, Date timestamp and the event union", () => {
    expectTypeOf<VerifiedWebhook["id"]>().toEqualTypeOf<string>();
    expectTypeOf<VerifiedWebhook["timestamp"]>().toEqualTypeOf<Date>();
    expectTypeOf<VerifiedWebhook["event"]>().toEqualTypeOf<ColivaraEvent>();
    expectTypeOf<VerifiedWebhook<UpsertFailEvent>["event"]>().toEqualTypeOf<UpsertFailEvent>();
  });

  it("headers accept Fetch Headers, Node's IncomingHttpHeaders and plain records", () => {
    expectTypeOf<Headers>().toExtend<HeaderInput>();
    expectTypeOf<IncomingHttpHeaders>().toExtend<HeaderInput>();
    expectTypeOf<Record<string, string>>().toExtend<HeaderInput>();
    expectTypeOf<{ "svix-id": string; "svix-signature": string[] }>().toExtend<HeaderInput>();
  });

  it("error codes are a closed set including every row of the failure table", () => {
    expectTypeOf<
      | "missing_headers"
      | "invalid_timestamp"
      | "timestamp_too_old"
      | "timestamp_too_new"
      | "invalid_signature"
      | "payload_too_large"
      | "invalid_payload"
      | "body_already_parsed"
    >().toExtend<WebhookErrorCode>();
    expectTypeOf<WebhookVerificationError["code"]>().toEqualTypeOf<WebhookErrorCode>();
    const error = new WebhookVerificationError("payload_too_large", "x");
    expect([error.status, error.name, error instanceof Error]).toEqual([413, "WebhookVerificationError", true]);
  });
});
