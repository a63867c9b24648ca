import { afterEach, describe, expect, it, vi } from "vitest";
import { macOf, newSecret } from "../../../test/support/independent-signer.js";
import { createWebhookHandler } from "../src/index.js";
import { upsertFailEvent, upsertSuccessEvent } from "../src/testing.js";

const secret = newSecret();

function signedRequest(
  payload: unknown,
  init: { id?: string; secretOverride?: string; method?: string } = {},
): Request {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = init.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const ts = Math.floor(Date.now() / 1000);
  return new Request("http://127.0.0.1/webhooks/colivara", {
    method: init.method ?? "POST",
    body,
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": `v1,${macOf(init.secretOverride ?? secret, id, ts, body)}`,
    },
  });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("createWebhookHandler", () => {
  it("returns the handler's Response", async () => {
    const handle = createWebhookHandler(({ event }) => Response.json({ type: event.type }, { status: 202 }), {
      secret,
    });
    const response = await handle(signedRequest(upsertSuccessEvent()));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ type: "upsert.success" });
  });

  it("answers 204 when the handler returns nothing", async () => {
    const seen: string[] = [];
    const handle = createWebhookHandler(
      async ({ id }) => {
        seen.push(id);
      },
      { secret },
    );
    const request = signedRequest(upsertFailEvent(), { id: "msg_fetch_204" });
    const response = await handle(request);
    expect(response.status).toBe(204);
    expect(seen).toEqual(["msg_fetch_204"]);
  });

  it("answers 500 handler_failed and reports through onError when the handler throws", async () => {
    const onError = vi.fn();
    const handle = createWebhookHandler(
      () => {
        throw new Error("db down: password=hunter2");
      },
      { secret, onError },
    );
    const response = await handle(signedRequest(upsertSuccessEvent()));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe("handler_failed");
    expect(text).not.toContain("hunter2");
    expect(onError).toHaveBeenCalledOnce();
  });

  it("never calls the handler for a forged request", async () => {
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret });
    const response = await handle(signedRequest(upsertSuccessEvent(), { secretOverride: newSecret() }));
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("invalid_signature");
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 413 from Content-Length before reading, and while streaming otherwise", async () => {
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret, limit: 1024 });
    const big = upsertSuccessEvent({ message: "x".repeat(4096) });
    const declared = signedRequest(big);
    expect(declared.headers.get("content-length")).toBeNull(); // Request does not set it; test both paths
    const streamed = await handle(declared);
    expect(streamed.status).toBe(413);
    const withLength = signedRequest(big);
    withLength.headers.set("content-length", "999999");
    expect((await handle(withLength)).status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 500 body_already_parsed when the body was consumed first", async () => {
    const handle = createWebhookHandler(() => {}, { secret, onError: () => {} });
    const request = signedRequest(upsertSuccessEvent());
    await request.text();
    const response = await handle(request);
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe("body_already_parsed");
  });

  it("answers 405 to other methods", async () => {
    const handle = createWebhookHandler(() => {}, { secret });
    const response = await handle(new Request("http://127.0.0.1/", { method: "GET" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("runs a handler map and acknowledges unknown types", async () => {
    const seen: string[] = [];
    const handle = createWebhookHandler(undefined, {
      secret,
      on: { "upsert.fail": (event) => void seen.push(event.error) },
    });
    expect((await handle(signedRequest(upsertFailEvent({ error: "boom" })))).status).toBe(204);
    expect((await handle(signedRequest({ type: "brand.new" }))).status).toBe(204);
    expect(seen).toEqual(["boom"]);
  });

  it("rejects a handler together with a handler map, or neither, at creation", () => {
    expect(() => createWebhookHandler(() => {}, { secret, on: {} })).toThrow(/either/);
    expect(() => createWebhookHandler(undefined, { secret })).toThrow(/handler/);
  });

  it("resolves a lazy secret on the first request: 500 and a log line when it is missing", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", "");
    const onError = vi.fn();
    const handle = createWebhookHandler(() => {}, { onError }, { lazySecret: true });
    const response = await handle(signedRequest(upsertSuccessEvent()));
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe("invalid_config");
    expect(String(onError.mock.calls[0]?.[0])).toContain("COLIVARA_WEBHOOK_SECRET");
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", secret);
    expect((await handle(signedRequest(upsertSuccessEvent()))).status).toBe(204);
  });
});

describe("signWebhook timestamps", () => {
  it("rejects milliseconds, fractions and invalid dates with a message saying what to pass", async () => {
    const { signWebhook } = await import("../src/testing.js");
    expect(() => signWebhook({ secret, payload: {}, timestamp: Date.now() })).toThrow(/milliseconds/);
    expect(() => signWebhook({ secret, payload: {}, timestamp: 1.5 })).toThrow(/integer seconds/);
    expect(() => signWebhook({ secret, payload: {}, timestamp: new Date("nope") })).toThrow(/valid Date/);
  });
});

describe("read timeout", () => {
  it("answers 408 request_timeout to a body that stalls, never verifying a truncated body", async () => {
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret, readTimeoutMs: 100 });
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":'));
      },
    });
    const request = new Request("http://127.0.0.1/", {
      method: "POST",
      body: stalled,
      headers: { "svix-id": "msg_slow", "svix-timestamp": "1", "svix-signature": "v1,x" },
      duplex: "half",
    } as RequestInit);
    const response = await handle(request);
    expect(response.status).toBe(408);
    expect(response.headers.get("connection")).toBe("close");
    expect((await response.json()).error.code).toBe("request_timeout");
    expect(handler).not.toHaveBeenCalled();
  });

  it("names the configured timeout in the 408, not what was left of it when the body stalled", async () => {
    const handle = createWebhookHandler(vi.fn(), { secret, readTimeoutMs: 200 });
    let sent = 0;
    const trickle = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Three chunks 60 ms apart, then nothing: the last read has about 20 ms left.
        if (sent++ < 3) {
          await new Promise((resolve) => setTimeout(resolve, 60));
          controller.enqueue(new TextEncoder().encode(" "));
        } else {
          await new Promise(() => {});
        }
      },
    });
    const request = new Request("http://127.0.0.1/", {
      method: "POST",
      body: trickle,
      headers: { "svix-id": "msg_slow", "svix-timestamp": "1", "svix-signature": "v1,x" },
      duplex: "half",
    } as RequestInit);
    const response = await handle(request);
    expect(response.status).toBe(408);
    expect((await response.json()).error.message).toContain("did not arrive within 200 ms");
  });
});
