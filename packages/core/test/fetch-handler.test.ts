import { afterEach, describe, expect, it, vi } from "vitest";
import { macOf, newSecret } from "../../../test/support/independent-signer.js";
import { createFetchHandler } from "../src/adapter.js";
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

/** A POST whose body is `stream`; the default headers are placeholders for requests that never get verified. */
function streamingRequest(
  stream: ReadableStream<Uint8Array>,
  headers: Record<string, string> = { "svix-id": "msg_slow", "svix-timestamp": "1", "svix-signature": "v1,x" },
): Request {
  return new Request("http://127.0.0.1/webhooks/colivara", {
    method: "POST",
    body: stream,
    headers,
    duplex: "half",
  } as RequestInit);
}

/** A signed request whose body arrives as `chunks`, the way a socket delivers it. */
function streamedRequest(body: string, chunks: number, headers: Record<string, string> = {}): Request {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const ts = Math.floor(Date.now() / 1000);
  const bytes = new TextEncoder().encode(body);
  const size = Math.ceil(bytes.byteLength / chunks);
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return streamingRequest(stream, {
    "svix-id": id,
    "svix-timestamp": String(ts),
    "svix-signature": `v1,${macOf(secret, id, ts, body)}`,
    ...headers,
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

  it("verifies a body that arrives in several chunks, over exactly those bytes", async () => {
    const seen: string[] = [];
    const handle = createWebhookHandler(
      ({ event }) => {
        seen.push(event.type === "upsert.success" ? event.message : "");
      },
      { secret },
    );
    const message = "é".repeat(3000); // multi-byte characters split across chunks
    const response = await handle(streamedRequest(JSON.stringify(upsertSuccessEvent({ message })), 7));
    expect(response.status).toBe(204);
    expect(seen).toEqual([message]);
  });

  it("answers 413 to a body that runs past the limit, whatever Content-Length claimed", async () => {
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret, limit: 1024 });
    const body = JSON.stringify(upsertSuccessEvent({ message: "x".repeat(4096) }));
    const response = await handle(streamedRequest(body, 8, { "content-length": "100" }));
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 400 invalid_payload to a client that aborts mid-upload", async () => {
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret });
    const aborted = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":'));
      },
      pull(controller) {
        controller.error(new TypeError("terminated"));
      },
    });
    const response = await handle(streamingRequest(aborted));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_payload");
    expect(handler).not.toHaveBeenCalled();
  });

  it("handles a delivery id once by default, and on every retry with dedupe: false", async () => {
    const seen: string[] = [];
    const record = ({ id }: { id: string }) => {
      seen.push(id);
    };
    const once = createWebhookHandler(record, { secret });
    const always = createWebhookHandler(record, { secret, dedupe: false });
    const body = upsertSuccessEvent();
    const first = await once(signedRequest(body, { id: "msg_retry" }));
    const retry = await once(signedRequest(body, { id: "msg_retry" }));
    expect([first.status, retry.status]).toEqual([204, 200]);
    expect(await retry.json()).toEqual({ duplicate: true });
    expect((await always(signedRequest(body, { id: "msg_retry" }))).status).toBe(204);
    expect((await always(signedRequest(body, { id: "msg_retry" }))).status).toBe(204);
    expect(seen).toEqual(["msg_retry", "msg_retry", "msg_retry"]);
  });

  it("gives the claim back when the handler answers non-2xx, so the retry runs", async () => {
    let calls = 0;
    const handle = createWebhookHandler(() => (++calls === 1 ? new Response(null, { status: 503 }) : undefined), {
      secret,
    });
    expect((await handle(signedRequest(upsertSuccessEvent(), { id: "msg_again" }))).status).toBe(503);
    expect((await handle(signedRequest(upsertSuccessEvent(), { id: "msg_again" }))).status).toBe(204);
    expect(calls).toBe(2);
  });

  it("answers 500 body_already_parsed when the body was consumed first", async () => {
    const handle = createWebhookHandler(() => {}, { secret, onError: () => {} });
    const request = signedRequest(upsertSuccessEvent());
    await request.text();
    const response = await handle(request);
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe("body_already_parsed");
  });

  it("answers 400 invalid_payload to a body another reader holds, without reporting a fault", async () => {
    const onError = vi.fn();
    const handler = vi.fn();
    const handle = createWebhookHandler(handler, { secret, onError });
    const request = signedRequest(upsertSuccessEvent());
    request.body?.getReader();
    const response = await handle(request);
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_payload");
    expect(handler).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  it("passes the Request to the handler and takes Bun's URL scheme for requireHttps", async () => {
    vi.stubGlobal("Bun", { version: "1.1.0" });
    try {
      const seen: Request[] = [];
      const handle = createWebhookHandler((_webhook, request) => void seen.push(request), {
        secret,
        requireHttps: true,
      });
      const plain = signedRequest(upsertSuccessEvent());
      expect((await handle(plain)).status).toBe(403);
      const body = JSON.stringify(upsertSuccessEvent());
      const signed = signedRequest(body);
      const secure = new Request(signed.url.replace("http:", "https:"), {
        method: "POST",
        body,
        headers: signed.headers,
      });
      expect((await handle(secure)).status).toBe(204);
      expect(seen).toEqual([secure]);
    } finally {
      vi.unstubAllGlobals();
    }
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
    const handle = createFetchHandler(() => {}, { onError }, { lazySecret: true });
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
    const response = await handle(streamingRequest(stalled));
    expect(response.status).toBe(408);
    expect(response.headers.get("connection")).toBe("close");
    expect((await response.json()).error.code).toBe("request_timeout");
    expect(handler).not.toHaveBeenCalled();
  });

  it("cancels a stalled body on timeout, so nothing more of it is pulled or buffered", async () => {
    const handle = createWebhookHandler(vi.fn(), { secret, readTimeoutMs: 100 });
    let pulls = 0;
    const cancel = vi.fn();
    const trickle = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          pulls++;
          await new Promise((resolve) => setTimeout(resolve, 30));
          controller.enqueue(new TextEncoder().encode(" "));
        },
        cancel,
      },
      { highWaterMark: 0 },
    );
    const response = await handle(streamingRequest(trickle));
    expect(response.status).toBe(408);
    expect(cancel).toHaveBeenCalledOnce();
    const pulled = pulls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulls).toBe(pulled);
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
    const response = await handle(streamingRequest(trickle));
    expect(response.status).toBe(408);
    expect((await response.json()).error.message).toContain("did not arrive within 200 ms");
  });
});
