// A TCP proxy in front of a real redis-server that can go down at one exact point of a
// client's start (the connection carrying the Nth INFO command): Redis stopping at that
// moment, which no timing of a real outage reproduces reliably. Down, it stops listening,
// so reconnections are refused as by a stopped server.
import { createConnection, createServer, type Socket } from "node:net";

export interface CuttingProxy {
  url: string;
  /** Cuts every open connection and stops listening. */
  goDown(): Promise<void>;
  /** Listens again at the same address. */
  comeBack(): Promise<void>;
  /** Resolves once the proxy went down on its own (at the INFO it was told to cut). */
  readonly wentDown: Promise<void>;
  close(): Promise<void>;
}

const INFO_COMMAND = "$4\r\ninfo\r\n";

/** Proxies to `127.0.0.1:redisPort` and goes down when the `cutAtInfo`-th INFO arrives, before Redis sees it. */
export async function cuttingProxy(
  redisPort: number,
  cutAtInfo: number = Number.POSITIVE_INFINITY,
): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  let infos = 0;
  let signalDown = () => {};
  const wentDown = new Promise<void>((resolve) => {
    signalDown = resolve;
  });
  const server = createServer((client) => {
    const upstream = createConnection(redisPort, "127.0.0.1");
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    open.add(client);
    client.once("close", cut);
    client.once("close", () => open.delete(client));
    client.on("error", cut);
    upstream.on("error", cut);
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      const before = infos;
      infos += chunk.toString("latin1").toLowerCase().split(INFO_COMMAND).length - 1;
      if (before < cutAtInfo && infos >= cutAtInfo) {
        void goDown().then(signalDown);
        return;
      }
      upstream.write(chunk);
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => {
      server.listen(port, "127.0.0.1", resolve);
    });
  const goDown = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of open) socket.destroy();
    await closed;
  };
  await listen(0);
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    goDown,
    comeBack: () => listen(port),
    wentDown,
    close: async () => {
      if (server.listening) await goDown();
    },
  };
}
