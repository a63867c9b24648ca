// After the claim (claimed-delivery.ts): how the answer of the user's code is recorded,
// reported and settled: in middleware mode, from a handler, for permanent failures and
// through a hand-off. The delivery records come from a real pino logger.
import { describe, expect, it, vi } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import type { WebhookResponse } from "../src/http/responses.js";
import {
  createWebhookHandler,
  type DedupeStore,
  type HandOff,
  memoryStore,
  permanentFailure,
  type VerifiedWebhook,
  WebhookVerificationError,
} from "../src/index.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { createDeliveryPipeline, type DeliveryPort } from "../src/pipeline/pipeline.js";
import type { StandardSchemaV1 } from "../src/shared/standard-schema.js";
import { upsertSuccessEvent } from "../src/testing.js";
import { harness } from "./pipeline-harness.js";
import { memoryPino, NOW_S, SECRET, signed } from "./record-support.js";

const post = (id: string) => ({ method: "POST", ...signed(upsertSuccessEvent(), { id }) });

/** A pipeline as the harness drives it, with its records and its onError calls. */
function observed(options: ColivaraWebhookOptions = {}) {
  const { logger, lines } = memoryPino();
  const onError = vi.fn();
  const receiver = harness({ secret: SECRET, now: () => NOW_S * 1000, log: logger, onError, ...options });
  return { receiver, lines, onError, last: () => lines.at(-1) };
}

const errorOf = (response: WebhookResponse | undefined) =>
  (JSON.parse(response?.body ?? "{}") as { error: { code: string; message: string } }).error;

const contextOf = (onError: ReturnType<typeof vi.fn>, call = 0) =>
  onError.mock.calls[call]?.[1] as { webhook?: VerifiedWebhook };

describe("middleware mode: how the route answered", () => {
  it.each([200, 204, 299])("%i is accepted, not reported, and a copy is then a duplicate", async (status) => {
    const { receiver, onError, last } = observed();
    (await receiver.receive(post("msg_2xx"))).answer?.(status);
    expect(onError).not.toHaveBeenCalled();
    expect(last()).toMatchObject({ outcome: "accepted", status });
    expect(last()).not.toHaveProperty("code");
    expect((await receiver.receive(post("msg_2xx"))).response).toMatchObject({
      status: 200,
      body: '{"duplicate":true}',
    });
  });

  it.each([199, 300, 404])("%i is declined, not reported, and the claim is released for the retry", async (status) => {
    const { receiver, onError, last } = observed();
    (await receiver.receive(post("msg_declined"))).answer?.(status);
    expect(onError).not.toHaveBeenCalled();
    expect(last()).toMatchObject({ outcome: "declined", status });
    expect((await receiver.receive(post("msg_declined"))).webhook?.id).toBe("msg_declined");
  });

  it("a 5xx is a handler failure, reported with the delivery and what to do, and the claim is released", async () => {
    const { receiver, onError, last } = observed();
    (await receiver.receive(post("msg_5xx"))).answer?.(500);
    expect(onError).toHaveBeenCalledOnce();
    const error = onError.mock.calls[0]?.[0] as WebhookVerificationError;
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.code).toBe("handler_failed");
    expect(error.message).toContain("answered 500 for delivery msg_5xx");
    expect(error.message).toContain("the retry runs it");
    expect(error.message).toContain("Let errors reach the pack");
    expect(contextOf(onError).webhook?.id).toBe("msg_5xx");
    expect(last()).toMatchObject({ outcome: "handler_failed", code: "handler_failed", status: 500 });
    expect((await receiver.receive(post("msg_5xx"))).webhook?.id).toBe("msg_5xx");
  });

  it("an error with a status under 500 is a handler failure too, reported as it was thrown", async () => {
    const { receiver, onError, last } = observed();
    const thrown = new Error("route validation failed");
    (await receiver.receive(post("msg_4xx_error"))).answer?.(400, thrown);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toBe(thrown);
    expect(contextOf(onError).webhook?.id).toBe("msg_4xx_error");
    expect(last()).toMatchObject({ outcome: "handler_failed", status: 400 });
    expect((await receiver.receive(post("msg_4xx_error"))).webhook?.id).toBe("msg_4xx_error");
  });

  it("only the first answer counts: later ones are neither reported nor settled", async () => {
    const { receiver, onError, lines } = observed();
    const first = await receiver.receive(post("msg_twice"));
    first.answer?.(500);
    first.answer?.(503, new Error("again"));
    first.answer?.(200);
    expect(onError).toHaveBeenCalledOnce();
    expect(lines).toHaveLength(1);
    expect((await receiver.receive(post("msg_twice"))).webhook?.id).toBe("msg_twice");
  });
});

describe("a handler's answer (the Fetch handler)", () => {
  const request = (id: string) => {
    const { headers, body } = signed(upsertSuccessEvent(), { id });
    return new Request("http://127.0.0.1/webhooks/colivara", { method: "POST", headers, body });
  };
  const options = (log: ColivaraWebhookOptions["log"], onError = vi.fn()) => ({
    secret: SECRET,
    now: () => NOW_S * 1000,
    log,
    onError,
  });

  it("a Response of 500 is recorded as a handler failure, and the retry runs the handler again", async () => {
    const { logger, lines } = memoryPino();
    let runs = 0;
    const handle = createWebhookHandler(() => {
      runs++;
      return new Response("down", { status: 500 });
    }, options(logger));
    expect((await handle(request("msg_500"))).status).toBe(500);
    expect(lines.at(-1)).toMatchObject({ outcome: "handler_failed", code: "handler_failed", status: 500 });
    expect((await handle(request("msg_500"))).status).toBe(500);
    expect(runs).toBe(2);
  });

  it("a throw answers 500 handler_failed saying the delivery will be retried", async () => {
    const handle = createWebhookHandler(() => {
      throw new Error("database down");
    }, options(false));
    const response = await handle(request("msg_throw"));
    expect(response.status).toBe(500);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("handler_failed");
    expect(error.message).toContain("will be retried");
  });

  it("a WebhookVerificationError the handler throws (another webhook it checked) is a handler failure, not its status", async () => {
    const handle = createWebhookHandler(() => {
      throw new WebhookVerificationError("invalid_signature", "the upstream webhook was forged");
    }, options(false));
    const response = await handle(request("msg_nested"));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("handler_failed");
  });

  it("invalid_config from the user's code (a wrapper used in the wrong place) answers 500 invalid_config, its detail in the log only", async () => {
    const { logger, lines } = memoryPino();
    const onError = vi.fn();
    const misuse = new WebhookVerificationError("invalid_config", "Verify in app/api/webhooks/route.ts instead.");
    const handle = createWebhookHandler(
      () => {
        throw misuse;
      },
      options(logger, onError),
    );
    const response = await handle(request("msg_misused"));
    expect(response.status).toBe(500);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain("misconfigured");
    expect(error.message).not.toContain("route.ts");
    expect(onError).toHaveBeenCalledWith(misuse, expect.objectContaining({ webhook: expect.anything() }));
    expect(lines.at(-1)).toMatchObject({ outcome: "handler_failed", code: "invalid_config", status: 500 });
  });

  it("answers only once the handled mark is written, so a retry after the answer is a duplicate", async () => {
    const memory = memoryStore();
    let markHandled: (() => void) | undefined;
    const store: DedupeStore = {
      claim: (id) => memory.claim(id),
      complete: (id, token) =>
        new Promise<void>((resolve) => {
          markHandled = () => resolve(memory.complete(id, token));
        }),
      release: (id, token) => memory.release(id, token),
    };
    const handle = createWebhookHandler(() => undefined, { secret: SECRET, now: () => NOW_S * 1000, dedupe: store });
    let answered = false;
    const response = handle(request("msg_mark_first")).then((r) => {
      answered = true;
      return r;
    });
    await eventually(() => expect(markHandled).toBeTypeOf("function"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    markHandled?.();
    expect((await response).status).toBe(204);
    expect((await handle(request("msg_mark_first"))).status).toBe(200);
  });
});

describe("an adapter's port", () => {
  const port = (onAnswer: (response: WebhookResponse) => void, own: Partial<DeliveryPort>): DeliveryPort => {
    const { headers, body } = signed(upsertSuccessEvent(), { id: "msg_port" });
    return { method: "POST", headers, readBody: (done) => done(undefined, Buffer.from(body)), send: onAnswer, ...own };
  };

  it("whose statusOf throws: 500 handler_failed, reported, and the retry runs the handler again", async () => {
    const onError = vi.fn();
    const pipeline = createDeliveryPipeline({ secret: SECRET, now: () => NOW_S * 1000, onError });
    const broken = new TypeError("not a Response");
    const call = vi.fn(() => "returned");
    const own = {
      call,
      statusOf: () => {
        throw broken;
      },
      pass: () => {},
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await new Promise<WebhookResponse>((resolve) => pipeline.run(port(resolve, own)));
      expect(response.status).toBe(500);
      expect(errorOf(response).code).toBe("handler_failed");
    }
    expect(call).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenCalledWith(broken, expect.objectContaining({ webhook: expect.anything() }));
  });

  it("with neither call nor forward is refused, saying which to give", () => {
    const pipeline = createDeliveryPipeline({ secret: SECRET, now: () => NOW_S * 1000 });
    expect(() => pipeline.run(port(() => {}, {}))).toThrow(new TypeError("A delivery port needs call or forward."));
  });
});

describe("refused for good: onError hears of it with the delivery", () => {
  it("a permanentFailure() without deadLetter", async () => {
    const { receiver, onError } = observed({
      on: {
        "upsert.success": () => {
          throw permanentFailure("tenant deleted");
        },
      },
    });
    expect((await receiver.receive(post("msg_gone"))).response?.status).toBe(422);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "permanent_failure" });
    expect(contextOf(onError).webhook?.id).toBe("msg_gone");
  });

  it("metadata the schema refuses, even when deadLetter keeps it", async () => {
    const refuseAll: StandardSchemaV1<unknown, Record<string, unknown>> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: () => ({ issues: [{ message: "tenant is required", path: ["tenant"] }] }),
      },
    };
    const deadLetter = vi.fn();
    const { receiver, onError } = observed({ metadata: refuseAll, on: {}, deadLetter });
    expect((await receiver.receive(post("msg_meta"))).response?.status).toBe(422);
    expect(deadLetter).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "invalid_metadata" });
    expect(contextOf(onError).webhook?.id).toBe("msg_meta");
  });
});

describe("hand-off", () => {
  function queue(): HandOff & { stored: Set<string>; down: boolean; enqueue: ReturnType<typeof vi.fn> } {
    const stored = new Set<string>();
    const self = {
      stored,
      down: false,
      enqueue: vi.fn(async (webhook: VerifiedWebhook) => {
        if (self.down) throw new Error("ECONNREFUSED");
        if (stored.has(webhook.id)) return "duplicate" as const;
        stored.add(webhook.id);
        return "stored" as const;
      }),
    };
    return self;
  }

  it("records a stored delivery as handed_off (202) and a copy as duplicate (200)", async () => {
    const { receiver, lines } = observed({ handOff: queue() });
    expect((await receiver.receive(post("msg_q"))).response?.status).toBe(202);
    expect((await receiver.receive(post("msg_q"))).response?.status).toBe(200);
    expect(lines.map(({ outcome, status, code }) => ({ outcome, status, code }))).toEqual([
      { outcome: "handed_off", status: 202, code: undefined },
      { outcome: "duplicate", status: 200, code: undefined },
    ]);
  });

  it("records a queue that is down as store_unavailable, 503 handoff_unavailable, reported with the delivery", async () => {
    const down = queue();
    down.down = true;
    const { receiver, onError, last } = observed({ handOff: down });
    const { response } = await receiver.receive(post("msg_q_down"));
    expect(response?.status).toBe(503);
    expect(errorOf(response).code).toBe("handoff_unavailable");
    expect(last()).toMatchObject({ outcome: "store_unavailable", code: "handoff_unavailable", status: 503 });
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: "ECONNREFUSED" });
    expect(contextOf(onError).webhook?.id).toBe("msg_q_down");
  });

  it("answers 503 handoff_unavailable when enqueue throws instead of rejecting: nothing was stored", async () => {
    const throwing: HandOff = {
      enqueue: () => {
        throw new Error("queue client not connected");
      },
    };
    const { receiver, onError } = observed({ handOff: throwing });
    const { response } = await receiver.receive(post("msg_q_throws"));
    expect(response?.status).toBe(503);
    expect(errorOf(response).code).toBe("handoff_unavailable");
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: "queue client not connected" });
  });

  it("with a dedupe store too: once stored the id is handled; when the queue was down the retry is stored", async () => {
    const q = queue();
    const { receiver } = observed({ handOff: q, dedupe: memoryStore() });
    expect((await receiver.receive(post("msg_q_kept"))).response?.status).toBe(202);
    expect((await receiver.receive(post("msg_q_kept"))).response?.status).toBe(200);
    expect(q.enqueue).toHaveBeenCalledTimes(1);

    q.down = true;
    expect((await receiver.receive(post("msg_q_retry"))).response?.status).toBe(503);
    q.down = false;
    expect((await receiver.receive(post("msg_q_retry"))).response?.status).toBe(202);
    expect(q.stored.has("msg_q_retry")).toBe(true);
  });
});
