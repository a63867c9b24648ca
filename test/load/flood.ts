// A body sent one byte per chunk (`Transfer-Encoding: chunked`, `1\r\nx\r\n` repeated): the
// cheapest way for a client to make a body reader allocate per chunk. Raw TCP, so the framing
// is exactly this, and so the suite can tell when the server has read every byte sent.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { randomSignatureEntry } from "./deliveries.js";

/** The framing of `count` one-byte chunks, built once per size (they are all alike). */
const framing = new Map<number, Buffer>();
function oneByteChunks(count: number): Buffer {
  let wire = framing.get(count);
  if (wire === undefined) {
    wire = Buffer.from("1\r\nx\r\n".repeat(count));
    framing.set(count, wire);
  }
  return wire;
}

/** A forged (randomly signed) delivery's headers: the server reads the body, then refuses it. */
export function forgedHeaders(): Record<string, string> {
  return {
    "content-type": "application/json",
    "svix-id": `msg_flood${Math.random().toString(36).slice(2)}`,
    "svix-timestamp": String(Math.floor(Date.now() / 1000)),
    "svix-signature": randomSignatureEntry(),
  };
}

/**
 * Bytes not yet read by the receiving end of the TCP connection between `localPort` and
 * `remotePort` on 127.0.0.1, from /proc/net/tcp: what the sender has not yet had acknowledged
 * plus what the receiver's kernel holds for the application. Zero means the server process
 * has read every byte the client wrote.
 */
function unread(localPort: number, remotePort: number): number {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  const [client, server] = [`:${hex(localPort)} `, `:${hex(remotePort)} `];
  let queued = 0;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [local, remote, , queues] = [`${fields[1]} `, `${fields[2]} `, fields[3], fields[4] as string];
    const [tx, rx] = queues.split(":").map((part) => Number.parseInt(part, 16)) as [number, number];
    if (local.endsWith(client) && remote.endsWith(server)) queued += tx;
    if (local.endsWith(server) && remote.endsWith(client)) queued += rx;
  }
  return queued;
}

export interface FloodResult {
  status: number;
  body: string;
}

/**
 * POSTs a body of `chunks` one-byte chunks to `url`. Once the server has read all of them
 * but the final (empty) chunk, `whileHeld` runs (the body is then as large as it gets in the
 * server); the final chunk follows and the answer is read. With `abandon`, the connection is
 * instead closed after `whileHeld` (the upload never completes) and no answer is awaited.
 */
export async function floodUpload(
  url: string,
  chunks: number,
  options: { headers?: Record<string, string>; whileHeld?: () => Promise<void>; abandon?: boolean } = {},
): Promise<FloodResult | undefined> {
  const { hostname, port, pathname } = new URL(url);
  const headers = { host: `${hostname}:${port}`, ...(options.headers ?? forgedHeaders()) };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let answer = "";
  socket.setEncoding("latin1").on("data", (data: string) => {
    answer += data;
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.write(`POST ${pathname} HTTP/1.1\r\n${head}transfer-encoding: chunked\r\nconnection: close\r\n\r\n`);
  const wire = oneByteChunks(chunks);
  // Backpressure: a server that stops reading (413, 408) must not make this process buffer.
  for (let offset = 0; offset < wire.length && !socket.destroyed; offset += 1 << 16) {
    if (!socket.write(wire.subarray(offset, offset + (1 << 16)))) {
      await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
    }
  }
  if (options.whileHeld) {
    const pending = () => socket.writableLength + unread(socket.localPort as number, Number(port));
    while (!socket.destroyed && pending() > 0) await sleep(5);
    await options.whileHeld();
  }
  if (options.abandon) {
    socket.destroy();
    return undefined;
  }
  socket.end("0\r\n\r\n");
  await closed;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
  return { status, body: answer.slice(answer.indexOf("\r\n\r\n") + 4) };
}
