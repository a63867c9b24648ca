// The adapter sections of Fetch handlers, called directly with `new Request(...)` as their
// runtime calls them (see servers/fetch-apps.mjs): the Next.js App Router wrapper, the
// framework-free Fetch handler (createWebhookHandler) and Hono (app.fetch). Each adapter's
// four routes are timed side by side in a process of their own (servers/fetch-worker.mjs).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { adapterResult, adapterTable, floorChecks, heapTable } from "./lib.mjs";

const WORKER = fileURLToPath(new URL("./servers/fetch-worker.mjs", import.meta.url));

async function runWorker(adapter, quick) {
  const child = spawn(process.execPath, [WORKER, adapter, quick ? "1" : "0"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const message = await Promise.race([
    once(child, "message").then(([m]) => m),
    exited.then(([code]) => {
      throw new Error(`${WORKER} ${adapter} exited with ${code} before reporting`);
    }),
  ]);
  await exited;
  return message.results;
}

const section = (name, adapter, title) => ({
  name,
  async run({ quick = false, log = () => {} } = {}) {
    log(`  ${adapter}: ours, bare, floor, svix at 1 KiB and 64 KiB, rounds side by side…`);
    const results = (await runWorker(name, quick)).map((r) => adapterResult(adapter, r.bytes, r.rounds, r.heap));
    const table = `${adapterTable(results)}\n\n${heapTable(results)}`;
    return { name, title, results, checks: floorChecks(results), table };
  },
});

export const FETCH_SECTIONS = [
  section(
    "next-app",
    "Next App Router",
    "Next.js App Router: withColivaraWebhook called with new Request() vs bare request.text() vs floor (stream reader + HMAC + JSON.parse) vs text() + svix",
  ),
  section(
    "fetch",
    "Fetch handler",
    "Fetch handler: createWebhookHandler called with new Request() vs the same bare, floor and svix routes",
  ),
  section(
    "hono",
    "Hono",
    "Hono: colivaraWebhook() through app.fetch vs bare c.req.arrayBuffer() vs floor (arrayBuffer + HMAC + JSON.parse) vs text() + svix",
  ),
];
