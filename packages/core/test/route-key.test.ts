// App-wide middleware acts on the webhook path in every spelling a router could take for it
// (the shared path variants), and on nothing else; a `path` that is not a literal path is
// refused at start-up.
import { describe, expect, it } from "vitest";
import { pathVariants } from "../../../test/support/path-variants.js";
import { createDeliveryPipeline } from "../src/adapter.js";
import { WebhookVerificationError } from "../src/index.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const pipeline = (path?: string) => createDeliveryPipeline({ secret, log: false, ...(path ? { path } : {}) });

/** The path a framework hands the middleware: an absolute-form target's origin is not part of it. */
const pathOf = (target: string) => target.replace("{origin}", "");

describe("appliesTo", () => {
  it.each(pathVariants("/webhooks/colivara").map((variant) => [variant.name, pathOf(variant.target)]))(
    "takes the webhook path spelt with a %s (%s)",
    (_name, target) => {
      expect(pipeline().appliesTo(target)).toBe(true);
    },
  );

  it.each(pathVariants("/Hooks/ColiVara").map((variant) => [variant.name, pathOf(variant.target)]))(
    "takes a mixed-case path option spelt with a %s (%s)",
    (_name, target) => {
      expect(pipeline("/Hooks/ColiVara").appliesTo(target)).toBe(true);
    },
  );

  it.each([
    "/",
    "/webhooks",
    "/webhooks/colivara2",
    "/webhooks/colivar",
    "/webhooks/colivara/extra",
    "/api/webhooks/colivara",
    "/webhooks/coli%76ara%2Fx",
    "/webhooks/colivara/../x",
    "/webhooks/%E0%A4%A",
  ])("leaves %s alone", (path) => {
    expect(pipeline().appliesTo(path)).toBe(false);
  });
});

describe("the path option", () => {
  it.each([
    "/webhooks/:tenant",
    "/webhooks/*",
    "/hooks?x=1",
    "/hooks#x",
    "/hooks/a b",
    "/hooks/(v1)",
    "/hooks/{id}",
    "/hooks\n",
  ])("refuses %j at start-up: it is compared literally", (path) => {
    expect(() => pipeline(path)).toThrow(WebhookVerificationError);
    expect(() => pipeline(path)).toThrow(/literal path/);
  });

  it("accepts a literal path with encoded characters", () => {
    expect(pipeline("/hooks/caf%C3%A9").appliesTo("/HOOKS/CAFÉ")).toBe(true);
  });
});
