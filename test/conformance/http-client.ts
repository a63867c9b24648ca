// Raw HTTP for the cases fetch cannot express: lying Content-Length, aborted uploads.
import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends headers and only part of a declared body, then waits for the server's answer. */
export function postPartial(
  url: string,
  headers: Record<string, string>,
  declaredLength: number,
  sent: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(declaredLength) } });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on("error", reject);
    req.write(sent);
  });
}

/** Starts an upload and kills the socket half-way; resolves once the socket is gone. */
export function abortMidUpload(url: string, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": "5000" } });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.write(Buffer.alloc(1000, 0x61), () => setImmediate(() => req.destroy()));
  });
}

/**
 * How long {@link trickleThenStall} waits, after the answer, for the server to close the
 * connection: generous for a busy two-core machine, where a close takes milliseconds.
 */
const CLOSE_WAIT_MS = 10_000;

/**
 * Sends headers and a few bytes of a declared body, then stalls: resolves with the answer
 * and whether the server closed the connection afterwards.
 */
export function trickleThenStall(
  url: string,
  headers: Record<string, string>,
): Promise<RawResponse & { closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": "4096" } });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        const socket = req.socket;
        const answer = { status: res.statusCode ?? 0, headers: res.headers, body };
        // This client never closes the socket itself: a close now is the server's doing.
        if (socket === null || socket.destroyed) return resolve({ ...answer, closedByServer: true });
        const timer = setTimeout(() => {
          socket.off("close", closed);
          socket.destroy();
          resolve({ ...answer, closedByServer: false });
        }, CLOSE_WAIT_MS);
        function closed() {
          clearTimeout(timer);
          resolve({ ...answer, closedByServer: true });
        }
        socket.once("close", closed);
      });
    });
    req.on("error", reject);
    req.write('{"type":');
  });
}
