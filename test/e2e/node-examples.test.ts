// Starts examples/express and examples/fastify as their own processes, as a user would,
// and sends them deliveries signed by the svix package.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import { eventually } from "../support/eventually.js";

const examples = [
  { name: "express", echo: false },
  { name: "fastify", echo: true },
];

describe.each(examples)("examples/$name", ({ name, echo }) => {
  const secret = newSecret();
  let child: ChildProcess;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    child = spawn(process.execPath, ["server.js"], {
      cwd: fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url)),
      env: { ...process.env, COLIVARA_WEBHOOK_SECRET: secret, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)));
    base = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`examples/${name} exited with ${code}`)));
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

  it("logs each verified event and answers with what it saw", async () => {
    const ok = sign(secret, successPayload({ name: "e2e.pdf", num_pages: 3 }));
    const fail = sign(secret, failPayload({ name: "bad.pdf" }));
    expect((await post(ok)).status).toBe(200);
    const failed = await post(fail);
    expect(failed.status).toBe(200);
    expect(await failed.json()).toEqual({ received: true, summary: "bad.pdf failed: Could not convert the document" });
    // The child's stdout may arrive after its HTTP answer: wait for the lines, not a delay.
    await eventually(() => {
      const logged = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      expect(logged).toContainEqual(expect.objectContaining({ id: ok.id, type: "upsert.success" }));
      expect(logged.find((l) => l.id === ok.id).summary).toContain("e2e.pdf stored in default_collection (3 pages");
      expect(logged).toContainEqual(expect.objectContaining({ id: fail.id, type: "upsert.fail" }));
    });
  });

  it("rejects a tampered delivery without logging it", async () => {
    const forged = sign(secret, successPayload());
    forged.body = forged.body.replace("report", "malware");
    const response = await post(forged);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    expect(lines.some((l) => l.includes(forged.id))).toBe(false);
  });

  it("rejects a delivery signed with another secret", async () => {
    expect((await post(sign(newSecret(), successPayload()))).status).toBe(401);
  });

  it("serves its other routes", async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
    if (!echo) return;
    const response = await fetch(`${base}/api/echo`, {
      method: "POST",
      body: JSON.stringify({ hello: "world" }),
      headers: { "content-type": "application/json" },
    });
    expect(await response.json()).toEqual({ youSent: { hello: "world" } });
  });
});
