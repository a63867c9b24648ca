import { createServer } from "node:net";

/**
 * A port on 127.0.0.1 that was free a moment ago: bound on port 0 and released. Another
 * process may take it in between, so a server started on it must retry on failure.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
