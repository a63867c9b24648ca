// A pipeline driven like an adapter drives it, with a real pino logger writing JSON lines
// into memory, and deliveries signed by the independent signer.
import { Writable } from "node:stream";
import pino from "pino";
import { signIndependently } from "../../../test/support/independent-signer.js";
import type { WebhookResponse } from "../src/http/responses.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { createDeliveryPipeline, type DeliveryPipeline, type DeliveryPort } from "../src/pipeline/pipeline.js";
import type { VerifiedWebhook } from "../src/shared/events.js";
import { upsertSuccessEvent } from "../src/testing.js";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const OLD_SECRET = "whsec_c2VjcmV0LW9mLXRoZS1wcmV2aW91cy1lbmRwb2ludA==";
export const NOW_S = 1_700_000_000;

/** A pino logger whose lines are parsed into `lines`. */
export function memoryPino(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

export interface Request {
  method?: string;
  headers: Record<string, string>;
  body: string;
  secure?: boolean;
  remoteAddress?: string;
}

export function signed(
  payload: object | string = upsertSuccessEvent(),
  options: { secret?: string; id?: string; timestamp?: number } = {},
): Request {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const delivery = signIndependently(options.secret ?? SECRET, body, {
    timestamp: options.timestamp ?? NOW_S,
    ...(options.id ? { id: options.id } : {}),
  });
  return { headers: delivery.headers, body, remoteAddress: "203.0.113.9" };
}

export type Handler = (webhook: VerifiedWebhook) => unknown;

/** Runs requests through one pipeline; the handler (if any) is called as the Fetch adapter does. */
export function pipelineFor(
  options: ColivaraWebhookOptions,
  handler?: Handler,
): { pipeline: DeliveryPipeline; receive(request: Request): Promise<WebhookResponse> } {
  const pipeline = createDeliveryPipeline({ secret: SECRET, now: () => NOW_S * 1000, ...options });
  return {
    pipeline,
    receive(request: Request): Promise<WebhookResponse> {
      return new Promise((resolve) => {
        const port: DeliveryPort = {
          method: request.method ?? "POST",
          headers: request.headers,
          readBody: (done) => done(undefined, Buffer.from(request.body)),
          send: resolve,
          secure: () => request.secure === true,
          remoteAddress: () => request.remoteAddress,
          call: handler,
        };
        if (!handler && !pipeline.answersItself) {
          port.forward = (_webhook, answered) => {
            answered(200);
            resolve({ status: 200, headers: {}, body: "" });
          };
        }
        pipeline.run(port);
      });
    },
  };
}
