// requireHttps on a Fetch runtime: where the runtime gives no connection fact (Node's Fetch
// servers and Deno copy the request target's scheme into request.url, a Worker sees no
// connection), a handler without trustProxy would refuse every delivery, so it refuses to
// start instead, naming the runtime's reason and what to set. Bun builds request.url from
// the listener (test/runtimes/absolute-target.test.ts checks each claim over a raw socket).
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWebhookHandler } from "../src/pipeline/fetch-handler.js";
import { SECRET } from "./record-support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const create = (options: object) => () => createWebhookHandler(() => undefined, { secret: SECRET, ...options });

describe.each([
  ["Node", () => {}, /On Node, the Request a Fetch handler gets carries no connection fact/],
  ["Deno", () => vi.stubGlobal("Deno", {}), /Deno\.serve takes request\.url's scheme from the request target/],
  [
    "Cloudflare Workers",
    () => vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" }),
    /Cloudflare's edge terminates TLS: make the zone HTTPS-only/,
  ],
])("createWebhookHandler on %s", (_name, stub, reason) => {
  it("refuses requireHttps without trustProxy at creation, with the runtime's reason and the fix", () => {
    stub();
    expect(create({ requireHttps: true })).toThrow(reason);
    expect(create({ requireHttps: true })).toThrow(/set trustProxy to its hop count \(1 for one proxy/);
  });

  it("starts with trustProxy, or without requireHttps", () => {
    stub();
    expect(create({ requireHttps: true, trustProxy: 1 })).not.toThrow();
    expect(create({ requireHttps: true, trustProxy: ["10.0.0.0/8"] })).not.toThrow();
    expect(create({})).not.toThrow();
  });
});

describe("createWebhookHandler on Bun", () => {
  it("starts with requireHttps alone: Bun.serve's request.url is the listener's", () => {
    vi.stubGlobal("Bun", {});
    expect(create({ requireHttps: true })).not.toThrow();
  });
});
