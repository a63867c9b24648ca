import { describe, expect, it } from "vitest";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { createWebhookHandler, type HandOff, permanentFailure, type VerifiedWebhook } from "../src/index.js";

const secret = newSecret();
const body = JSON.stringify({
  type: "upsert.fail",
  message: "failed",
  name: "report.pdf",
  metadata: {},
  collection_name: "default",
  error: "boom",
});

function post(delivery = signIndependently(secret, body)): Request {
  return new Request("http://localhost/webhooks/colivara", {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body as string,
  });
}

function memoryQueue(): HandOff & { stored: Map<string, VerifiedWebhook>; down: boolean } {
  const stored = new Map<string, VerifiedWebhook>();
  return {
    stored,
    down: false,
    async enqueue(webhook) {
      if (this.down) throw new Error("ECONNREFUSED");
      if (stored.has(webhook.id)) return "duplicate";
      stored.set(webhook.id, webhook);
      return "stored";
    },
  };
}

describe("hand-off", () => {
  it("answers 202 once stored, 200 duplicate for a copy, 503 when the queue is down", async () => {
    const queue = memoryQueue();
    const handler = createWebhookHandler(undefined, { secret, handOff: queue, onError: () => {} });
    const delivery = signIndependently(secret, body);
    const first = await handler(post(delivery));
    expect(first.status).toBe(202);
    expect(queue.stored.size).toBe(1);
    const copy = await handler(post(delivery));
    expect(copy.status).toBe(200);
    expect(await copy.json()).toEqual({ duplicate: true });
    queue.down = true;
    const down = await handler(post());
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe("handoff_unavailable");
    expect(queue.stored.size).toBe(1);
  });

  it("refuses a handler together with handOff, and on together with handOff", () => {
    expect(() => createWebhookHandler(async () => {}, { secret, handOff: memoryQueue() })).toThrow(/not both/);
    expect(() => createWebhookHandler(undefined, { secret, handOff: memoryQueue(), on: {} })).toThrow(/not both/);
  });
});

describe("permanent failure", () => {
  it("answers 422 with webhook-delivery: abort-message and keeps the delivery as a dead letter", async () => {
    const dead: string[] = [];
    const handler = createWebhookHandler(undefined, {
      secret,
      on: {
        "upsert.fail": () => {
          throw permanentFailure("tenant deleted");
        },
      },
      deadLetter: (webhook, error) => {
        dead.push(`${webhook.id}:${error.message}`);
      },
    });
    const delivery = signIndependently(secret, body);
    const response = await handler(post(delivery));
    expect(response.status).toBe(422);
    expect(response.headers.get("webhook-delivery")).toBe("abort-message");
    expect(dead).toEqual([`${delivery.headers["svix-id"]}:tenant deleted`]);
    // Kept for good: a retry that arrives anyway is a duplicate, not a second run.
    const retry = await handler(post(delivery));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ duplicate: true });
    expect(dead).toHaveLength(1);
  });

  it("answers 500 without the abort header when the dead letter cannot be kept", async () => {
    const errors: unknown[] = [];
    const handler = createWebhookHandler(undefined, {
      secret,
      on: {
        "upsert.fail": () => {
          throw permanentFailure("tenant deleted");
        },
      },
      deadLetter: () => {
        throw new Error("disk full");
      },
      onError: (error) => errors.push(error),
    });
    const response = await handler(post());
    expect(response.status).toBe(500);
    expect(response.headers.get("webhook-delivery")).toBeNull();
    expect(errors).toHaveLength(1);
  });
});
