import type { WebhookResponse } from "../http/responses.js";
import type { AnswerCallback } from "./pipeline.js";

/**
 * The part of Node's `ServerResponse` the adapters use, duck-typed so the core needs no
 * Node types at run time (Express, Next Pages and Fastify's `reply.raw` all fit).
 */
export interface NodeResponseLike {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  destroy(): unknown;
  on(event: "finish" | "close", listener: () => void): unknown;
}

/**
 * Writes the pipeline's answer to a Node `ServerResponse`. When the user's code had already
 * started answering, the connection is cut instead, so the sender sees a failure.
 *
 * @example
 * ```ts
 * send: (response) => sendNodeResponse(res, response),
 * ```
 */
export function sendNodeResponse(res: NodeResponseLike, response: WebhookResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name] as string);
  res.end(response.body);
}

/**
 * Tells the pipeline how the user's code answered a verified delivery, once: the status it
 * ended the response with, even when the sender has already hung up. A sender that gives up
 * (Svix after 15 s) and retries while the handler still runs must get 409, not a second run
 * of the handler. A handler that never answers keeps the claim until its lease expires.
 *
 * @example
 * ```ts
 * forward: (webhook, answered) => { watchAnswer(res, answered); next(); },
 * ```
 */
export function watchAnswer(res: NodeResponseLike, answered: AnswerCallback): void {
  let told = false;
  const tell = () => {
    if (told) return;
    told = true;
    answered(res.statusCode);
  };
  // `on`, not `once`: each event comes once per response, and `once` wraps every listener in
  // an object and a bound function, on every delivery (about 0.2 KiB of heap each time).
  res.on("finish", tell);
  res.on("close", () => {
    // Answered, and the connection dropped while the answer was being sent.
    if (res.writableEnded) return tell();
    // Closed before the user's code answered: it may still be running. Its answer, when it
    // comes, goes to a closed socket and emits no "finish"; record it when it is given.
    const end = res.end as (...args: unknown[]) => unknown;
    res.end = function endAfterClose(this: unknown, ...args: unknown[]) {
      tell();
      return end.apply(this, args);
    };
  });
}
