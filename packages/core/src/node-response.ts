import type { WebhookResponse } from "./receiver.js";

/**
 * The part of Node's `ServerResponse` the adapters use, duck-typed so the core needs no
 * Node types at run time (Express, Next Pages and Fastify's `reply.raw` all fit).
 */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  once(event: "finish" | "close", listener: () => void): unknown;
}

/**
 * Writes the shared policy's response to a Node `ServerResponse`.
 *
 * @example
 * ```ts
 * if (result.response) return sendNodeResponse(res, result.response);
 * ```
 */
export function sendNodeResponse(res: NodeResponseLike, response: WebhookResponse): void {
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name] as string);
  res.end(response.body);
}

/**
 * Tells the receiver (its dedupe store) how the user's code answered, once: a 2xx that
 * finished is handled; anything else, or a connection closed first, lets the retry through.
 *
 * @example
 * ```ts
 * settleWhenAnswered(res, result.settle);
 * next();
 * ```
 */
export function settleWhenAnswered(res: NodeResponseLike, settle: (handled: boolean) => Promise<void>): void {
  let settled = false;
  const once = (handled: boolean) => {
    if (settled) return;
    settled = true;
    void settle(handled);
  };
  res.once("finish", () => once(res.statusCode >= 200 && res.statusCode < 300));
  res.once("close", () => once(false));
}
