// Shared by the adapter sections: servers run in their own process (so the load generator
// never steals their event loop) and autocannon drives them over loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import autocannon from "autocannon";

/**
 * Starts `script` with node; the script prints one JSON line `{ "ports": { name: port } }`
 * once it listens. Returns those ports and a stop function.
 */
export async function startServerProcess(script, env = {}) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout.setEncoding("utf8");
  let buffered = "";
  const ports = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line).ports);
    });
  });
  return {
    ports,
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/**
 * Requests/s of one route under keep-alive load. Any non-2xx answer or socket error
 * throws: a route that fails fast must not look fast.
 */
export async function requestsPerSecond(url, { body, headers, duration, connections = 32 }) {
  // autocannon writes host and content-length itself; a second copy breaks large bodies.
  const { host: _host, "content-length": _length, ...rest } = headers;
  const result = await autocannon({ url, method: "POST", body, headers: rest, duration, connections, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return result.requests.average;
}
