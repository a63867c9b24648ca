// The Fetch handler under the runtimes users deploy it on, installed from the npm registry
// into the test-only runtimes workspace (scripts/test-runtimes.mjs).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { runtimeBinary } from "./runtime-binaries.js";

const script = fileURLToPath(new URL("./fetch-handler-script.mjs", import.meta.url));

const runtimes = [
  { name: "node", command: process.execPath, args: [script] },
  { name: "deno", command: runtimeBinary("deno"), args: ["run", "--allow-read", "--allow-env", script] },
  { name: "bun", command: runtimeBinary("bun"), args: ["run", script] },
];

describe.each(runtimes)("createWebhookHandler under $name", ({ command, args }) => {
  it("answers genuine, forged, stale and malformed deliveries exactly as on Node", () => {
    const secret = newSecret();
    const ok = sign(secret, successPayload());
    const fail = sign(secret, failPayload());
    const forged = sign(newSecret(), successPayload());
    const stale = sign(secret, successPayload(), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    const bad = sign(secret, "{not json");
    const file = join(mkdtempSync(join(tmpdir(), "colivara-runtime-")), "deliveries.json");
    writeFileSync(file, JSON.stringify({ secret, deliveries: [ok, fail, forged, stale, bad] }));
    const output = execFileSync(command, [...args, file], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const { engine, results, seen } = JSON.parse(output.trim().split("\n").at(-1) as string) as {
      engine: string;
      results: { status: number; body: string }[];
      seen: { id: string; type: string }[];
    };
    // Deno and Bun expose node:crypto through process.getBuiltinModule: the fast path.
    expect(engine).toBe("node");
    expect(results.map((r) => r.status)).toEqual([204, 204, 401, 401, 400]);
    expect(results.slice(2).map((r) => JSON.parse(r.body).error.code)).toEqual([
      "invalid_signature",
      "timestamp_too_old",
      "invalid_payload",
    ]);
    expect(seen).toEqual([
      { id: ok.id, type: "upsert.success" },
      { id: fail.id, type: "upsert.fail" },
    ]);
  });
});
