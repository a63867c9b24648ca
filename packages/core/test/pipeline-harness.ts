// Runs the delivery pipeline the way an adapter does, with an in-memory port: the body is
// given (or the reader's error), answers are collected, and middleware mode hands back the
// verified delivery with a way to say how "the route" answered.

import type { WebhookResponse } from "../src/http/responses.js";
import type { ColivaraWebhookOptions } from "../src/pipeline/options.js";
import { createDeliveryPipeline, type DeliveryPipeline } from "../src/pipeline/pipeline.js";
import type { VerifiedWebhook } from "../src/shared/events.js";
import type { HeaderInput } from "../src/verify/headers.js";

export interface HarnessInput {
  method?: string | undefined;
  headers: HeaderInput;
  body?: Uint8Array | string | undefined;
  bodyError?: unknown;
}

export type HarnessResult =
  | { response: WebhookResponse; webhook?: undefined; answer?: undefined }
  | { response?: undefined; webhook: VerifiedWebhook; answer: (status: number, error?: unknown) => void };

export interface Harness {
  pipeline: DeliveryPipeline;
  /** Runs one request; `sync` says whether it settled before `run` returned. */
  receive(input: HarnessInput): Promise<HarnessResult & { sync: boolean }>;
}

export function harness(options: ColivaraWebhookOptions, settings: { lazySecret?: boolean } = {}): Harness {
  const pipeline = createDeliveryPipeline(options, settings);
  return {
    pipeline,
    receive(input) {
      let running = true;
      const result = new Promise<HarnessResult & { sync: boolean }>((resolve) => {
        pipeline.run({
          method: input.method,
          headers: input.headers,
          readBody: (done) => done(input.bodyError, input.body),
          send: (response) => resolve({ response, sync: running }),
          forward: (webhook, answer) => resolve({ webhook, answer, sync: running }),
        });
      });
      running = false;
      return result;
    },
  };
}
