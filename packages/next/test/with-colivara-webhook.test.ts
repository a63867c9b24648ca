// The App Router wrapper called exactly as Next calls `export const POST`: with a Fetch
// Request (and a context argument), deliveries signed by the svix package.
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { type AppRouteHandler, type VerifiedWebhook, withColivaraWebhook } from "../src/index.js";

const secret = newSecret();
const ENDPOINT = "http://127.0.0.1:3000/api/webhooks/colivara";
const nextContext = { params: Promise.resolve({}) };

function request(delivery: Pick<Delivery, "body" | "headers">, init: RequestInit = {}): Request {
  return new Request(ENDPOINT, { method: "POST", body: delivery.body, headers: delivery.headers, ...init });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("withColivaraWebhook(handler)", () => {
  it("returns the handler's Response, with the typed webhook and the untouched request", async () => {
    let seen: { webhook: VerifiedWebhook; request: Request } | undefined;
    const POST = withColivaraWebhook(
      (webhook, req) => {
        seen = { webhook, request: req };
        if (webhook.event.type !== "upsert.success") throw new Error("wrong type");
        return Response.json({ pages: webhook.event.num_pages }, { status: 202 });
      },
      { secret },
    );
    const delivery = sign(secret, successPayload({ num_pages: 7 }));
    const req = request(delivery);
    const response = await POST(req);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ pages: 7 });
    expect(seen?.request).toBe(req);
    expect(seen?.webhook.id).toBe(delivery.id);
    expect(seen?.webhook.timestamp).toEqual(new Date(Number(delivery.headers["svix-timestamp"]) * 1000));
    expect(seen?.webhook.event).toEqual(successPayload({ num_pages: 7 }));
  });

  it("answers 204 when the handler returns nothing", async () => {
    const handled: string[] = [];
    const POST = withColivaraWebhook(
      async ({ id }) => {
        handled.push(id);
      },
      { secret },
    );
    const delivery = sign(secret, failPayload());
    const response = await POST(request(delivery));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(handled).toEqual([delivery.id]);
  });

  it("answers 500 handler_failed when the handler throws, and reports it through onError", async () => {
    const onError = vi.fn();
    const POST = withColivaraWebhook(
      () => {
        throw new Error("database down: password=hunter2");
      },
      { secret, onError },
    );
    const delivery = sign(secret, successPayload());
    const response = await POST(request(delivery));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe("handler_failed");
    expect(text).not.toContain("hunter2");
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(Error);
    expect(onError.mock.calls[0]?.[1]?.webhook?.id).toBe(delivery.id);
  });

  it("logs a failing handler with console.error by default", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const POST = withColivaraWebhook(
      async () => {
        throw new Error("queue unavailable");
      },
      { secret },
    );
    const delivery = sign(secret, successPayload());
    expect((await POST(request(delivery))).status).toBe(500);
    // The whole error (stack and cause), with the delivery it belongs to.
    expect(log).toHaveBeenCalledOnce();
    const [line, error] = log.mock.calls[0] ?? [];
    expect(line).toBe(`[colivara-webhooks] webhook failure (delivery ${delivery.id}):`);
    expect((error as Error).message).toBe("queue unavailable");
    expect((error as Error).stack).toContain("with-colivara-webhook.test.ts");
  });

  it("is called as Next calls a route handler, with a context argument", async () => {
    const POST = withColivaraWebhook(() => new Response("ok"), { secret });
    const call = POST as (request: Request, context: unknown) => Promise<Response>;
    expect((await call(request(sign(secret, successPayload())), nextContext)).status).toBe(200);
  });

  it("hands a validly signed unknown type over as a distinct case", async () => {
    const types: string[] = [];
    const POST = withColivaraWebhook(
      ({ event }) => {
        if (event.type === "unknown") types.push(event.originalType);
      },
      { secret },
    );
    expect((await POST(request(sign(secret, { type: "document.deleted", id: 3 })))).status).toBe(204);
    expect(types).toEqual(["document.deleted"]);
  });

  it("accepts the unbranded webhook-* headers", async () => {
    const POST = withColivaraWebhook(() => {}, { secret });
    expect((await POST(request(sign(secret, successPayload(), { prefix: "webhook" })))).status).toBe(204);
  });
});

describe("withColivaraWebhook rejects before the handler runs", () => {
  const handler = vi.fn();
  const POST = withColivaraWebhook(handler, { secret, limit: "2kb", onError: () => {} });
  afterEach(() => {
    expect(handler).not.toHaveBeenCalled();
  });

  it.each([
    ["another secret", () => sign(newSecret(), successPayload()), 401, "invalid_signature"],
    [
      "a tampered body",
      () => {
        const d = sign(secret, successPayload());
        return { ...d, body: d.body.replace("report", "rep0rt") };
      },
      401,
      "invalid_signature",
    ],
    [
      "a stale timestamp",
      () => sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      401,
      "timestamp_too_old",
    ],
    [
      "no signature header",
      () => {
        const d = sign(secret, successPayload());
        delete d.headers["svix-signature"];
        return d;
      },
      401,
      "missing_headers",
    ],
    ["a signed body that is not JSON", () => sign(secret, "not json"), 400, "invalid_payload"],
    [
      "a body over the limit",
      () => sign(secret, successPayload({ metadata: { blob: "x".repeat(4096) } })),
      413,
      "payload_too_large",
    ],
  ] as const)("%s", async (_name, make, status, code) => {
    const response = await POST(request(make()));
    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
  });

  it("answers 413 from Content-Length without reading the body", async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(1024));
        },
      },
      { highWaterMark: 0 },
    );
    const delivery = sign(secret, successPayload());
    const response = await POST(
      new Request(ENDPOINT, {
        method: "POST",
        body,
        duplex: "half",
        headers: { ...delivery.headers, "content-length": String(8 * 1024 * 1024) },
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulls).toBe(0);
  });

  it("answers 500 body_already_parsed, naming the fix, when the body was read first", async () => {
    const req = request(sign(secret, successPayload()));
    await req.json();
    const response = await POST(req);
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe("body_already_parsed");
    expect(error.message).toContain("pass the untouched Request");
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    const response = await POST(new Request(ENDPOINT));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("withColivaraWebhook({ on })", () => {
  it("runs the handler for the event's type and answers 204", async () => {
    const calls: unknown[] = [];
    const POST = withColivaraWebhook({
      secret,
      on: {
        "upsert.success": (event, webhook) => void calls.push(["success", event.name, webhook.id]),
        "upsert.fail": (event) => void calls.push(["fail", event.error]),
        unknown: (event) => void calls.push(["unknown", event.originalType]),
      },
    });
    const ok = sign(secret, successPayload({ name: "a.pdf" }));
    expect((await POST(request(ok))).status).toBe(204);
    expect((await POST(request(sign(secret, failPayload({ error: "bad scan" }))))).status).toBe(204);
    expect((await POST(request(sign(secret, { type: "collection.created" })))).status).toBe(204);
    expect(calls).toEqual([
      ["success", "a.pdf", ok.id],
      ["fail", "bad scan"],
      ["unknown", "collection.created"],
    ]);
  });

  it("acknowledges a type without a handler", async () => {
    const POST = withColivaraWebhook({ secret, on: { "upsert.fail": () => {} } });
    expect((await POST(request(sign(secret, successPayload())))).status).toBe(204);
  });

  it("answers 500 when a handler throws, and reports it", async () => {
    const onError = vi.fn();
    const POST = withColivaraWebhook({
      secret,
      onError,
      on: {
        "upsert.success": async () => {
          throw new Error("boom");
        },
      },
    });
    const response = await POST(request(sign(secret, successPayload())));
    expect(response.status).toBe(500);
    expect((await errorOf(response)).code).toBe("handler_failed");
    expect(onError).toHaveBeenCalledOnce();
  });

  it("never runs a handler for a forgery", async () => {
    const handler = vi.fn();
    const POST = withColivaraWebhook({ secret, on: { "upsert.success": handler } });
    expect((await POST(request(sign(newSecret(), successPayload())))).status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("the secret is read when the first request arrives", () => {
  it("creates the route without a secret (next build), then answers 500 and logs what to set", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", undefined);
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const handler = vi.fn();
    const POST = withColivaraWebhook(handler);
    const response = await POST(request(sign(secret, successPayload())));
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid_config");
    // An anonymous caller learns that the endpoint is misconfigured, not how: the log says.
    expect(error.message).not.toContain("COLIVARA_WEBHOOK_SECRET");
    expect(log).toHaveBeenCalledOnce();
    expect(String(log.mock.calls[0]?.[1])).toMatch(
      /^WebhookVerificationError: No webhook secret configured\. Set the COLIVARA_WEBHOOK_SECRET environment variable/,
    );
    expect(handler).not.toHaveBeenCalled();
  });

  it("picks up COLIVARA_WEBHOOK_SECRET once it is set, without a restart", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", "");
    const POST = withColivaraWebhook(() => {}, { onError: () => {} });
    expect((await POST(request(sign(secret, successPayload())))).status).toBe(500);
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", `${newSecret()}, ${secret}`);
    expect((await POST(request(sign(secret, successPayload())))).status).toBe(204);
  });

  it("reports a malformed secret through onError on every request, never echoing it", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", "whsec_c2hvcnQ=");
    const onError = vi.fn();
    const POST = withColivaraWebhook({ onError, on: {} });
    for (let i = 0; i < 2; i++) {
      const response = await POST(request(sign(secret, successPayload())));
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe("invalid_config");
      expect(text).not.toContain("c2hvcnQ");
    }
    expect(onError).toHaveBeenCalledTimes(2);
    expect(String(onError.mock.calls[0]?.[0])).toContain("24 bytes");
  });
});

describe("other configuration errors still throw at start-up", () => {
  it.each([
    ["a handler and a handler map", () => withColivaraWebhook(() => {}, { secret, on: {} as never }), /not both/],
    ["neither", () => withColivaraWebhook({ secret } as never), /handler function or a handler map/],
    ["no argument", () => (withColivaraWebhook as (...args: unknown[]) => unknown)(), /handler/],
    ["a non-function handler", () => withColivaraWebhook("handler" as never), /handler/],
    ["options twice", () => (withColivaraWebhook as (...a: unknown[]) => unknown)({ on: {} }, {}), /handler/],
    ["a bad limit", () => withColivaraWebhook(() => {}, { limit: "lots" }), /limit/],
    ["an unknown event key", () => withColivaraWebhook({ on: { "upsert.sucess": () => {} } as never }), /sucess/],
    ["a non-function onError", () => withColivaraWebhook(() => {}, { onError: 3 as never }), /onError/],
  ])("%s", (_name, create, message) => {
    expect(create).toThrow(message);
  });
});

describe("Edge runtime: Web Crypto when node:crypto is unreachable", () => {
  // What `next start` gives an Edge route: process.getBuiltinModule exists but throws.
  it("verifies through crypto.subtle when process.getBuiltinModule throws", async () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(() => {
      throw new Error("A Node.js API is used (process.getBuiltinModule) which is not supported in the Edge Runtime.");
    });
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, "sign");
    const POST = withColivaraWebhook(({ event }) => Response.json({ type: event.type }), { secret });
    const response = await POST(request(sign(secret, successPayload())));
    expect(await response.json()).toEqual({ type: "upsert.success" });
    expect(subtleSign).toHaveBeenCalled();
    expect((await POST(request(sign(newSecret(), successPayload())))).status).toBe(401);
  });

  // What Vercel's Edge and Workers give: no process.getBuiltinModule at all.
  it("verifies through crypto.subtle when process.getBuiltinModule is absent", async () => {
    const original = process.getBuiltinModule;
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, "sign");
    try {
      (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
      const POST = withColivaraWebhook(() => {}, { secret });
      expect((await POST(request(sign(secret, failPayload())))).status).toBe(204);
      expect(subtleSign).toHaveBeenCalled();
    } finally {
      process.getBuiltinModule = original;
    }
  });

  it("uses node:crypto on the Node.js runtime", async () => {
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, "sign");
    const POST = withColivaraWebhook(() => {}, { secret });
    expect((await POST(request(sign(secret, successPayload())))).status).toBe(204);
    expect(subtleSign).not.toHaveBeenCalled();
  });
});

describe("types", () => {
  it("fits `export const POST` and narrows events", () => {
    expectTypeOf(withColivaraWebhook(() => {})).toEqualTypeOf<AppRouteHandler>();
    expectTypeOf(withColivaraWebhook({ on: {} })).toEqualTypeOf<(request: Request) => Promise<Response>>();
    withColivaraWebhook(({ event }) => {
      if (event.type === "upsert.success") expectTypeOf(event.num_pages).toEqualTypeOf<number>();
      if (event.type === "unknown") expectTypeOf(event.originalType).toEqualTypeOf<string>();
    });
    // @ts-expect-error a handler and a handler map are exclusive
    expect(() => withColivaraWebhook(() => {}, { secret, on: {} })).toThrow(/not both/);
  });
});
