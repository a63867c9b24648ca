// The Pages Router wrapper behind Next's own API route resolver (the code `next start` runs
// for pages/api), on a real HTTP server: the body parser, `config.api`, res.status/json are
// exactly what a user's route gets. Deliveries are signed by the svix package.
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextApiHandler } from "next";
import { apiResolver } from "next/dist/server/api-utils/node/api-resolver.js";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { type Delivery, failPayload, newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import { postPartial } from "../../../test/conformance/http-client.js";
import { type PagesApiHandler, withColivaraWebhookPages } from "../src/index.js";

const secret = newSecret();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const PREVIEW = { previewModeId: "x", previewModeEncryptionKey: "x", previewModeSigningKey: "x" };

/** Serves `handler` as a pages/api route with the given `config`, through Next's resolver. */
async function route(handler: PagesApiHandler | NextApiHandler, config?: object): Promise<string> {
  const server = createServer((req, res) => {
    void apiResolver(req, res, {}, { default: handler, config }, { ...PREVIEW, dev: false }, false, false, "/api/hook");
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/hook`;
}

const RAW = { api: { bodyParser: false } };

function post(url: string, delivery: Pick<Delivery, "body" | "headers">): Promise<Response> {
  return fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe("withColivaraWebhookPages(handler)", () => {
  it("hands the typed webhook to a handler that answers with res", async () => {
    const url = await route(
      withColivaraWebhookPages(
        (webhook, req, res) => {
          if (webhook.event.type !== "upsert.success") throw new Error("wrong type");
          res.status(200).json({ id: webhook.id, pages: webhook.event.num_pages, method: req.method });
        },
        { secret },
      ),
      RAW,
    );
    const delivery = sign(secret, successPayload({ num_pages: 9 }));
    const response = await post(url, delivery);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: delivery.id, pages: 9, method: "POST" });
  });

  it("answers 204 when the handler leaves the response alone", async () => {
    const handled: string[] = [];
    const url = await route(
      withColivaraWebhookPages(
        async ({ id }) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          handled.push(id);
        },
        { secret },
      ),
      RAW,
    );
    const delivery = sign(secret, failPayload());
    const response = await post(url, delivery);
    expect(response.status).toBe(204);
    expect(handled).toEqual([delivery.id]);
  });

  it("answers 500 handler_failed when the handler throws, and reports it through onError", async () => {
    const onError = vi.fn();
    const url = await route(
      withColivaraWebhookPages(
        async () => {
          throw new Error("db down: password=hunter2");
        },
        { secret, onError },
      ),
      RAW,
    );
    const delivery = sign(secret, successPayload());
    const response = await post(url, delivery);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe("handler_failed");
    expect(text).not.toContain("hunter2");
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[1]?.webhook?.id).toBe(delivery.id);
  });

  it("cuts the connection when the handler throws after it started answering", async () => {
    const onError = vi.fn();
    const url = await route(
      withColivaraWebhookPages(
        (_webhook, _req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("partial");
          throw new Error("late failure");
        },
        { secret, onError },
      ),
      RAW,
    );
    await expect(post(url, sign(secret, successPayload())).then((r) => r.text())).rejects.toThrow();
    expect(onError).toHaveBeenCalledOnce();
  });

  it("treats a retried delivery id as a duplicate once it was answered with 2xx", async () => {
    const handler = vi.fn();
    const url = await route(withColivaraWebhookPages(handler, { secret }), RAW);
    const delivery = sign(secret, successPayload());
    expect((await post(url, delivery)).status).toBe(204);
    expect((await post(url, delivery)).status).toBe(200);
    expect(handler).toHaveBeenCalledOnce();
  });

  it("lets the retry of a failed delivery through", async () => {
    let calls = 0;
    const url = await route(
      withColivaraWebhookPages(
        () => {
          calls++;
          if (calls === 1) throw new Error("transient");
        },
        { secret, onError: () => {} },
      ),
      RAW,
    );
    const delivery = sign(secret, successPayload());
    expect((await post(url, delivery)).status).toBe(500);
    expect((await post(url, delivery)).status).toBe(204);
    expect(calls).toBe(2);
  });
});

describe("withColivaraWebhookPages rejects before the handler runs", () => {
  const handler = vi.fn();
  afterEach(() => {
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 401 for a forgery", async () => {
    const url = await route(withColivaraWebhookPages(handler, { secret }), RAW);
    const response = await post(url, sign(newSecret(), successPayload()));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe("invalid_signature");
  });

  it("answers 413 for a body over the limit, while streaming", async () => {
    const url = await route(withColivaraWebhookPages(handler, { secret, limit: "1kb" }), RAW);
    const body = JSON.stringify(successPayload({ metadata: { blob: "x".repeat(4096) } }));
    // A stream has no Content-Length: the limit is enforced while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const delivery = sign(secret, body);
    const response = await fetch(url, {
      method: "POST",
      body: stream,
      headers: delivery.headers,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("payload_too_large");
  });

  it("answers 413 from Content-Length without waiting for the upload", async () => {
    const url = await route(withColivaraWebhookPages(handler, { secret }), RAW);
    const delivery = sign(secret, successPayload());
    const response = await postPartial(url, delivery.headers, 8 * 1024 * 1024, Buffer.alloc(1024, 32));
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
  });

  it("answers 500 body_already_parsed naming bodyParser: false when Next parsed the body", async () => {
    const onError = vi.fn();
    const url = await route(withColivaraWebhookPages(handler, { secret, onError })); // parser left on
    const response = await post(url, sign(secret, successPayload()));
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe("body_already_parsed");
    expect(error.message).toContain("export const config = { api: { bodyParser: false } };");
    expect(onError).toHaveBeenCalledOnce();
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    const url = await route(withColivaraWebhookPages(handler, { secret }), RAW);
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("survives a client that aborts mid-upload", async () => {
    const onError = vi.fn();
    const url = await route(withColivaraWebhookPages(handler, { secret, onError }), RAW);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: "POST", headers: { "content-length": "5000" } });
      req.on("error", () => resolve());
      req.on("close", () => resolve());
      req.write(Buffer.alloc(1000, 0x61), () => setImmediate(() => req.destroy()));
    });
    expect((await post(url, sign(newSecret(), successPayload()))).status).toBe(401); // still serving
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("raw bytes kept by a wrapper of the user's own", () => {
  it("takes text Next's parser decoded as UTF-8 (a string is raw in every adapter: captured-body.ts)", async () => {
    const url = await route(withColivaraWebhookPages((_w, _req, res) => res.status(200).send("ok"), { secret }));
    const delivery = sign(secret, successPayload({ name: "résumé-ü.pdf" }));
    const response = await post(url, { ...delivery, headers: { ...delivery.headers, "content-type": "text/plain" } });
    expect(response.status).toBe(200);
  });

  it("uses a Buffer in req.rawBody", async () => {
    const verified = withColivaraWebhookPages((_w, _req, res) => res.status(200).send("ok"), { secret });
    const delivery = sign(secret, successPayload());
    const url = await route(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      (req as { rawBody?: Buffer }).rawBody = Buffer.concat(chunks);
      await verified(req, res);
    }, RAW);
    expect((await post(url, delivery)).status).toBe(200);
  });
});

describe("withColivaraWebhookPages({ on })", () => {
  it("runs the handler for the type, acknowledges the rest, and answers 500 when one throws", async () => {
    const calls: string[] = [];
    const url = await route(
      withColivaraWebhookPages({
        secret,
        onError: () => {},
        on: {
          "upsert.success": (event) => void calls.push(event.name),
          "upsert.fail": () => {
            throw new Error("boom");
          },
        },
      }),
      RAW,
    );
    expect((await post(url, sign(secret, successPayload({ name: "x.pdf" })))).status).toBe(204);
    expect((await post(url, sign(secret, { type: "brand.new" }))).status).toBe(204);
    const failed = await post(url, sign(secret, failPayload()));
    expect(failed.status).toBe(500);
    expect((await errorOf(failed)).code).toBe("handler_failed");
    expect(calls).toEqual(["x.pdf"]);
  });
});

describe("the secret is read when the first request arrives", () => {
  it("creates the route without a secret, then answers 500 and logs what to set", async () => {
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", undefined);
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const url = await route(
      withColivaraWebhookPages(() => {}),
      RAW,
    );
    const response = await post(url, sign(secret, successPayload()));
    expect(response.status).toBe(500);
    expect((await errorOf(response)).code).toBe("invalid_config");
    expect(String(log.mock.calls[0]?.[1])).toContain(
      "No webhook secret configured. Set the COLIVARA_WEBHOOK_SECRET environment variable",
    );
    vi.stubEnv("COLIVARA_WEBHOOK_SECRET", secret);
    expect((await post(url, sign(secret, successPayload()))).status).toBe(204);
  });
});

describe("start-up checks and types", () => {
  it.each([
    ["a handler and a handler map", () => withColivaraWebhookPages(() => {}, { on: {} as never }), /not both/],
    ["neither", () => withColivaraWebhookPages({} as never), /handler function or a handler map/],
    ["a bad limit", () => withColivaraWebhookPages(() => {}, { limit: -1 }), /limit/],
  ])("throws for %s", (_name, create, message) => {
    expect(create).toThrow(message);
  });

  it("is a Next API handler", () => {
    const handler: NextApiHandler = withColivaraWebhookPages(() => {});
    expectTypeOf(handler).toBeFunction();
    withColivaraWebhookPages((webhook, req, res) => {
      expectTypeOf(req.query).toEqualTypeOf<Partial<Record<string, string | string[]>>>();
      expectTypeOf(res.status).toBeFunction();
      if (webhook.event.type === "upsert.fail") expectTypeOf(webhook.event.error).toEqualTypeOf<string>();
    });
  });
});
