import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { BodyBuffer, DEFAULT_LIMIT_BYTES } from "@colivara/webhooks/adapter";
import type { RawDelivery } from "./delivery-log.js";
import { pathOf } from "./request-target.js";

/** A request as the listener received it. */
export interface Received extends RawDelivery {
  method: string;
  receivedAt: Date;
  /** `performance.now()` at arrival. */
  started: number;
}

/**
 * Reads a request: its method, path (only ever a path, see `pathOf`), headers in order, and
 * body up to just past the core's limit.
 *
 * @example
 * ```ts
 * const received = await readRequest(req);
 * ```
 */
export async function readRequest(req: IncomingMessage): Promise<Received> {
  const receivedAt = new Date();
  const started = performance.now();
  // One growing buffer, not a chunk each: a body sent in tiny chunks costs its own size.
  const kept = new BodyBuffer(DEFAULT_LIMIT_BYTES, Number(req.headers["content-length"]));
  let crossing: Buffer | undefined;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    // The chunk that crosses the core's limit is kept (so the core answers 413); the rest is
    // read and dropped.
    if (crossing === undefined && !kept.append(chunk)) crossing = chunk;
  }
  const bytes = kept.bytes();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  }
  return {
    method: req.method ?? "GET",
    path: pathOf(req.url ?? "/"),
    headers,
    body: crossing === undefined ? body : Buffer.concat([body, crossing]),
    receivedAt,
    started,
  };
}
