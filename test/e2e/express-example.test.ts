// Starts examples/express as its own process, as a user would, and sends it deliveries
// signed by the svix package.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";

const exampleDir = fileURLToPath(new URL("../../examples/express/", import.meta.url));

describe("examples/express", () => {
  const secret = newSecret();
  let child: ChildProcess;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    child = spawn(process.execPath, ["server.js"], {
      cwd: exampleDir,
      env: { ...process.env, COLIVARA_WEBHOOK_SECRET: secret, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)));
    base = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`example exited with ${code}`)));
      child.stdout?.on("data", () => {
        const match = lines.join("\n").match(/listening on (http:\/\/[\d.:]+)/);
        if (match) resolve(match[1] as string);
      });
    });
  });

  afterAll(async () => {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  });

  const post = (delivery: { body: string; headers: Record<string, string> }) =>
    fetch(`${base}/webhooks/colivara`, { method: "POST", body: delivery.body, headers: delivery.headers });

  it("logs each verified event", async () => {
    const ok = sign(secret, successPayload({ name: "e2e.pdf", num_pages: 3 }));
    const fail = sign(secret, failPayload({ name: "bad.pdf" }));
    expect((await post(ok)).status).toBe(200);
    expect((await post(fail)).status).toBe(200);
    // The log line travels through a pipe and may land just after the response.
    const logged = await vi.waitFor(() => {
      const parsed = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      expect(parsed.map((l) => l.id)).toEqual(expect.arrayContaining([ok.id, fail.id]));
      return parsed;
    });
    expect(logged).toContainEqual(expect.objectContaining({ id: ok.id, type: "upsert.success" }));
    expect(logged.find((l) => l.id === ok.id).summary).toContain("e2e.pdf stored in default_collection (3 pages");
    expect(logged).toContainEqual(expect.objectContaining({ id: fail.id, type: "upsert.fail" }));
  });

  it("rejects a tampered delivery without logging it", async () => {
    const forged = sign(secret, successPayload());
    forged.body = forged.body.replace("report", "malware");
    const response = await post(forged);
    expect(response.status).toBe(401);
    expect(lines.some((l) => l.includes(forged.id))).toBe(false);
  });

  it("serves its other routes", async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
  });
});
