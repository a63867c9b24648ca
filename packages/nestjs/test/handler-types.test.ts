// @OnColivaraEvent(type) compiles only on a method that can take that type's event: checked
// by `tsc -p packages/nestjs` (the @ts-expect-error lines fail it when they stop erroring).
import type { UnknownEvent, UpsertFailEvent, UpsertSuccessEvent, VerifiedWebhook } from "@colivara/webhooks";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type EventOfType, OnColivaraEvent } from "../src/index.js";

class Handlers {
  @OnColivaraEvent("upsert.success")
  ready(event: UpsertSuccessEvent, webhook: VerifiedWebhook) {
    return [event.num_pages, webhook.id];
  }

  @OnColivaraEvent("upsert.fail")
  @OnColivaraEvent("upsert.success")
  either(event: UpsertSuccessEvent | UpsertFailEvent) {
    return event.name;
  }

  @OnColivaraEvent("unknown")
  later(event: UnknownEvent) {
    return event.originalType;
  }

  @OnColivaraEvent("upsert.fail")
  nothing() {}

  // @ts-expect-error: a failure's event is not a success's
  @OnColivaraEvent("upsert.fail")
  wrong(event: UpsertSuccessEvent) {
    return event.num_pages;
  }
}

describe("handler types", () => {
  it("gives each type its event", () => {
    expectTypeOf<EventOfType<"upsert.success">>().toEqualTypeOf<UpsertSuccessEvent>();
    expectTypeOf<EventOfType<"upsert.fail">>().toEqualTypeOf<UpsertFailEvent>();
    expectTypeOf<EventOfType<"unknown">>().toEqualTypeOf<UnknownEvent>();
    expect(typeof new Handlers().ready).toBe("function");
  });
});
