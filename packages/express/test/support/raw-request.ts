// Sends one HTTP/1.1 request as exact bytes over a node:net socket: header values carry the
// bytes a client like fetch refuses to send (0x80–0xFF, which Node reads as C1 controls).
import { connect } from "node:net";

export interface RawRequest {
  port: number;
  path: string;
  /** Header values as Latin-1 strings: each character is sent as that one byte. */
  headers: Record<string, string>;
  body: string;
}

/** The status code the server answered. */
export function sendRaw(request: RawRequest): Promise<number> {
  const body = Buffer.from(request.body, "utf8");
  const lines = [
    `POST ${request.path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    `Content-Length: ${body.length}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(request.port, "127.0.0.1", () => socket.end(Buffer.concat([head, body])));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString("latin1"));
      if (status) resolve(Number(status[1]));
      else reject(new Error("no HTTP answer"));
    });
  });
}
