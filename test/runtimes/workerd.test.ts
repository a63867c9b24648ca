// The Fetch handler and the Hono middleware on the real Cloudflare Workers runtime: each
// worker (worker-fetch.mjs, worker-hono.mjs) is bundled with esbuild, as wrangler does, and
// served by workerd (the runtime's own npm binary, installed with the test-only runtimes by
// scripts/test-runtimes.mjs) on 127.0.0.1. No nodejs_compat flag: the pack verifies with Web
// Crypto there. Deliveries are signed by the svix package and sent over real HTTP.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { freePort } from "../support/free-port.js";
import { runtimeBinary, serverBinary } from "./runtime-binaries.js";

const LIMIT = 4096;
const here = fileURLToPath(new URL(".", import.meta.url));
const secret = newSecret();
const dir = mkdtempSync(join(tmpdir(), "colivara-workerd-"));
const workers = { fetch: "worker-fetch.mjs", hono: "worker-hono.mjs" } as const;
type WorkerName = keyof typeof workers;
const ports = {} as Record<WorkerName, number>;
let workerd: ChildProcess | undefined;
let output = "";

/** One ES module per worker, everything it imports inlined (hono included), as wrangler bundles. */
function bundle(name: WorkerName): void {
  execFileSync(runtimeBinary("esbuild"), [
    join(here, workers[name]),
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--main-fields=module,main",
    "--conditions=workerd,worker,browser",
    `--outfile=${join(dir, `${name}.mjs`)}`,
    "--log-level=warning",
  ]);
}

/** workerd's Cap'n Proto config: one service and one 127.0.0.1 socket per worker. */
function config(): string {
  const names = Object.keys(workers) as WorkerName[];
  const services = names.map((name) => `(name = "${name}", worker = .${name}Worker)`).join(", ");
  const sockets = names
    .map((name) => `(name = "${name}", address = "127.0.0.1:${ports[name]}", http = (), service = "${name}")`)
    .join(", ");
  const definitions = names.map(
    (name) => `const ${name}Worker :Workerd.Worker = (
  modules = [(name = "${name}.mjs", esModule = embed "${name}.mjs")],
  compatibilityDate = "2026-11-01",
  bindings = [(name = "SECRET", text = "${secret}"), (name = "LIMIT", text = "${LIMIT}")],
);`,
  );
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [${services}], sockets = [${sockets}]);
${definitions.join("\n")}
`;
}

async function untilServing(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/seen`);
      return;
    } catch (error) {
      if (workerd?.exitCode !== null || Date.now() > deadline) {
        throw new Error(`workerd did not serve on ${port}: ${String(error)}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  for (const name of Object.keys(workers) as WorkerName[]) {
    bundle(name);
    ports[name] = await freePort();
  }
  writeFileSync(join(dir, "config.capnp"), config());
  workerd = spawn(serverBinary("workerd"), ["serve", join(dir, "config.capnp")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  workerd.stdout?.on("data", collect);
  workerd.stderr?.on("data", collect);
  await Promise.all(Object.values(ports).map(untilServing));
}, 60_000);

afterAll(() => {
  workerd?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function post(name: WorkerName, delivery: Delivery) {
  const response = await fetch(`http://127.0.0.1:${ports[name]}/webhooks/colivara`, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
  const text = await response.text();
  return { status: response.status, code: text ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : "" };
}

async function seen(name: WorkerName): Promise<Array<{ id: string; type: string }>> {
  return (await (await fetch(`http://127.0.0.1:${ports[name]}/seen`)).json()) as Array<{ id: string; type: string }>;
}

/** A genuine delivery whose body is exactly `bytes` long: JSON allows trailing whitespace. */
function sized(bytes: number): Delivery {
  const json = JSON.stringify(successPayload());
  return sign(secret, json + " ".repeat(bytes - json.length));
}

describe.each(Object.keys(workers) as WorkerName[])("%s on workerd", (name) => {
  it("runs the handler for a genuine delivery, once: its copy answers 200 duplicate", async () => {
    const delivery = sign(secret, successPayload());
    expect(await post(name, delivery)).toEqual({ status: 204, code: "" });
    expect((await post(name, delivery)).status).toBe(200);
    expect((await seen(name)).filter((entry) => entry.id === delivery.id)).toEqual([
      { id: delivery.id, type: "upsert.success" },
    ]);
  });

  it("refuses a forged delivery (another secret) and a stale one (10 minutes old) with 401", async () => {
    const forged = sign(newSecret(), successPayload());
    const stale = sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(await post(name, forged)).toEqual({ status: 401, code: "invalid_signature" });
    expect(await post(name, stale)).toEqual({ status: 401, code: "timestamp_too_old" });
    const ids = (await seen(name)).map((entry) => entry.id);
    expect(ids).not.toContain(forged.id);
    expect(ids).not.toContain(stale.id);
  });

  it(`takes a body of exactly the limit (${LIMIT} bytes) and refuses one byte more with 413`, async () => {
    expect((await post(name, sized(LIMIT))).status).toBe(204);
    expect(await post(name, sized(LIMIT + 1))).toEqual({ status: 413, code: "payload_too_large" });
  });
});
