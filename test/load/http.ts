// Raw HTTP for the load generator: node:http, so every way a client can misbehave (lying
// Content-Length, chunked floods, trickles, aborts) can be expressed, and every answer is
// read to the end.
import { type Agent, request } from "node:http";

export interface Answer {
  status: number;
  body: string;
  /** The response's Connection header. */
  connection: string | undefined;
}

export type Outcome = { answer: Answer; error?: undefined } | { answer?: undefined; error: string };

/**
 * How the body goes out:
 * - `whole`: all of it, with its Content-Length.
 * - `partial`: Content-Length says `declaredLength`, only `body` is sent, then nothing.
 * - `stream`: chunked (no Content-Length), 64 KiB at a time with backpressure, until the
 *   server answers or `body` is all sent.
 * - `trickle`: Content-Length says `declaredLength`; `chunk` every `everyMs` until answered,
 *   never the last byte.
 */
export type Upload =
  | { kind: "whole" }
  | { kind: "partial"; declaredLength: number }
  | { kind: "stream" }
  | { kind: "trickle"; declaredLength: number; chunk: Buffer; everyMs: number };

export interface Exchange {
  url: string;
  headers: Record<string, string>;
  body: Buffer | string;
  upload: Upload;
  agent: Agent;
  /** No answer within this is an error (the server hung). */
  timeoutMs: number;
}

const STREAM_CHUNK = 64 * 1024;

/** One request; resolves with the full answer or the transport error, never rejects. */
export function exchange(options: Exchange): Promise<Outcome> {
  const { upload } = options;
  const body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  if (upload.kind === "whole") headers["content-length"] = String(body.length);
  else if (upload.kind === "partial" || upload.kind === "trickle")
    headers["content-length"] = String(upload.declaredLength);
  else headers["transfer-encoding"] = "chunked";

  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    let trickle: NodeJS.Timeout | undefined;
    const req = request(options.url, { method: "POST", headers, agent: options.agent });
    const timer = setTimeout(() => finish({ error: `no answer within ${options.timeoutMs} ms` }), options.timeoutMs);
    function finish(outcome: Outcome) {
      clearInterval(trickle);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.error !== undefined || upload.kind !== "whole") req.destroy();
      resolve(outcome);
    }
    req.on("response", (res) => {
      answered = true;
      clearInterval(trickle);
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => finish({ error: `response: ${error.message}` }));
      res.on("end", () =>
        finish({
          answer: {
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            connection: res.headers.connection,
          },
        }),
      );
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The server may close an over-limit upload as soon as it has answered; the answer
      // then is what counts, and the rest of the upload fails to send.
      if (answered) return;
      finish({ error: error.code ?? error.message });
    });

    switch (upload.kind) {
      case "whole":
        req.end(body);
        break;
      case "partial":
        req.write(body);
        break;
      case "stream": {
        let offset = 0;
        const pump = () => {
          while (!answered && !settled && offset < body.length) {
            const chunk = body.subarray(offset, offset + STREAM_CHUNK);
            offset += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          if (!answered && !settled) req.end();
        };
        pump();
        break;
      }
      case "trickle": {
        // Never the whole declared body: the upload must stay unfinished however late the
        // server answers (a completed body would be a different request).
        let sent = body.length;
        req.write(body);
        trickle = setInterval(() => {
          if (answered || settled) return;
          const room = upload.declaredLength - 1 - sent;
          if (room <= 0) return;
          const chunk = upload.chunk.subarray(0, room);
          sent += chunk.length;
          req.write(chunk);
        }, upload.everyMs);
        break;
      }
    }
  });
}

/**
 * Starts an upload and kills the connection half-way (declared 5000 bytes, 1000 sent);
 * resolves once the socket is gone.
 */
export function abortMidUpload(url: string, headers: Record<string, string>, agent: Agent): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": "5000" }, agent });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.write(Buffer.alloc(1000, 0x61), () => setImmediate(() => req.destroy()));
  });
}
