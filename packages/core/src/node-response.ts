import { settleNothing, type WebhookResponse } from "./receiver.js";

/**
 * The part of Node's `ServerResponse` the adapters use, duck-typed so the core needs no
 * Node types at run time (Express, Next Pages and Fastify's `reply.raw` all fit).
 */
export interface NodeResponseLike {
  statusCode: number;
  readonly writableEnded: boolean;
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
 * Tells the receiver (its dedupe store) how the user's code answered, once: a 2xx is
 * handled; anything else lets the retry through. The answer is what the user's code ends
 * the response with, even when the sender has already hung up: a sender that gives up
 * (Svix after 15 s) and retries while the handler still runs must get 409, not a second run
 * of the handler. A handler that never answers keeps the claim until its lease expires.
 *
 * @example
 * ```ts
 * settleWhenAnswered(res, result.settle);
 * next();
 * ```
 */
export function settleWhenAnswered(res: NodeResponseLike, settle: (handled: boolean) => Promise<void>): void {
  // Without a dedupe store there is nothing to tell: no listeners on every response.
  if (settle === settleNothing) return;
  let settled = false;
  const once = () => {
    if (settled) return;
    settled = true;
    void settle(res.statusCode >= 200 && res.statusCode < 300);
  };
  res.once("finish", once);
  res.once("close", () => {
    // Answered, and the connection dropped while the answer was being sent.
    if (res.writableEnded) return once();
    // Closed before the user's code answered: it may still be running. Its answer, when it
    // comes, goes to a closed socket and emits no "finish"; settle when it is given.
    const end = res.end as (...args: unknown[]) => unknown;
    res.end = function endAfterClose(this: unknown, ...args: unknown[]) {
      once();
      return end.apply(this, args);
    };
  });
}
