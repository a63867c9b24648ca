// What every benchmark server process shares: announcing its ports and CPU time to the
// parent over IPC, and the "floor" check, the least work any verifying route can do.
import { createHmac, timingSafeEqual } from "node:crypto";
import { startAllocationProfiler, startHeapMeter } from "./heap-meter.mjs";

/**
 * Sends `{ ports }` to the parent (bench/http-load.mjs) and answers its "usage" requests with
 * this process's CPU time and heap totals (heap-meter.mjs), so the parent can divide them by
 * the requests it sent.
 */
export function announce(ports) {
  const heap = startHeapMeter();
  const profiler = process.env.BENCH_HEAP_PROFILE ? startAllocationProfiler() : undefined;
  process.on("message", async (message) => {
    if (message === "usage") process.send({ cpu: process.cpuUsage(), heap: heap.read() });
    if (message === "profile-start") process.send(await profiler.start());
    if (message === "profile-stop") process.send(await profiler.stop());
  });
  process.on("SIGTERM", () => process.exit(0));
  process.send({ ports });
}

/**
 * One HMAC-SHA256 over `id.timestamp.body` and a constant-time compare with the first `v1,`
 * signature: no header variants, timestamp window, rotation or limits. True when it matches.
 */
export function floorMac(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key)
    .update(`${headers["svix-id"]}.${headers["svix-timestamp"]}.`)
    .update(body)
    .digest();
  const given = Buffer.from(String(headers["svix-signature"]).slice(3), "base64");
  return given.length === mac.length && timingSafeEqual(mac, given);
}

/**
 * {@link floorMac}, then `JSON.parse`: no payload validation. Returns the parsed event, or
 * undefined for a forgery.
 */
export function floorVerify(secret, headers, body) {
  return floorMac(secret, headers, body) ? JSON.parse(body.toString()) : undefined;
}

/** Listens on 127.0.0.1 with every server of `servers`; resolves to `{ name: port }`. */
export async function listenAll(servers) {
  const ports = {};
  for (const [name, server] of Object.entries(servers)) {
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    ports[name] = server.address().port;
  }
  return ports;
}
