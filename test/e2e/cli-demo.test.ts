// `pnpm demo` runs `node scripts/demo.mjs --build`, which builds the packages quietly first.
// The test suite has already built the packages (`pnpm test` builds first), so it runs the
// script without --build: a rebuild here would delete the dist folders other test files are
// using. The quiet build is checked against a stand-in `pnpm` on PATH that only talks.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanEnv, repoRoot, startProcess } from "./cli-support.js";

const rootPackage = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const demoScript = fileURLToPath(new URL("../../scripts/demo.mjs", import.meta.url));

describe("pnpm demo", () => {
  it("builds first, then runs scripts/demo.mjs", () => {
    expect(rootPackage.scripts.demo).toBe("node scripts/demo.mjs --build");
  });

  it("keeps the build's output back on a first run: one line, then the demo", async () => {
    const noisy = fakePnpm(0);
    try {
      const demo = startProcess([demoScript, "--build"], { cwd: repoRoot, env: noisy.env });
      const exitCode = await new Promise((resolve) => demo.child.once("exit", resolve));
      const out = demo.stdout();
      expect(exitCode, `${out}\n${demo.stderr()}`).toBe(0);
      expect(readFileSync(noisy.calls, "utf8")).toBe("build\n");
      expect(`${out}${demo.stderr()}`).not.toContain("bundler chatter");
      expect(out.split("\n").slice(0, 2)).toEqual(["building the packages (pnpm build)…", "ColiVara webhooks demo"]);
      expect(out).toContain("5 of 5 deliveries got the answer they should.");
    } finally {
      noisy.remove();
    }
  });

  it("shows the build's output when the build fails, and stops there", async () => {
    const failing = fakePnpm(3);
    try {
      const demo = startProcess([demoScript, "--build"], { cwd: repoRoot, env: failing.env });
      const exitCode = await new Promise((resolve) => demo.child.once("exit", resolve));
      expect(exitCode).toBe(1);
      expect(demo.stderr()).toContain("pnpm build failed (exit 3)");
      expect(demo.stderr()).toContain("bundler chatter 200");
      expect(demo.stdout()).not.toContain("ColiVara webhooks demo");
    } finally {
      failing.remove();
    }
  });

  it("starts examples/express, sends five deliveries with the CLI, prints the table and stops the server", async () => {
    const demo = startProcess([demoScript], { cwd: repoRoot, env: cleanEnv() });
    const exitCode = await new Promise((resolve) => demo.child.once("exit", resolve));
    const out = demo.stdout();
    expect(exitCode, `${out}\n${demo.stderr()}`).toBe(0);
    expect(out).not.toContain("\u001b[");

    const url = out.match(/examples\/express listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/)?.[1];
    expect(url).toBeDefined();

    const lines = out.split("\n");
    const header = lines.findIndex((line) => /^delivery\s+status\s+verdict\s+what the handler saw$/.test(line));
    expect(header).toBeGreaterThan(-1);
    expect(lines[header + 1]).toMatch(/^─+ +─+ +─+ +─+$/);
    const rows = lines.slice(header + 2, header + 7).map((line) => line.split(/ {2,}/));
    expect(rows).toEqual([
      [
        "valid success",
        "200",
        "✓ accepted",
        "upsert.success: annual-report-2025.pdf stored in default_collection (48 pages, document 4242)",
      ],
      [
        "valid failure",
        "200",
        "✓ accepted",
        "upsert.fail: scanned-contract.pdf failed: The document could not be converted to images.",
      ],
      ["tampered", "401", "✓ rejected (invalid_signature)", "nothing: never called"],
      ["stale (10 min)", "401", "✓ rejected (timestamp_too_old)", "nothing: never called"],
      ["replayed", "200, 200", "✓ duplicate, not re-run", "upsert.success once (second copy not handled)"],
    ]);
    expect(out).toContain("5 of 5 deliveries got the answer they should.");
    expect(out).toContain("examples/express stopped.");

    // The server is gone: nothing listens on its port any more.
    const error = await fetch(url as string, { method: "POST" }).then(
      () => undefined,
      (reason: unknown) => reason as { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe("ECONNREFUSED");
  });
});

/** A `pnpm` first on PATH that records its arguments, prints 200 lines and exits with `code`. */
function fakePnpm(code: number): { env: NodeJS.ProcessEnv; calls: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "fake-pnpm-"));
  const calls = join(dir, "calls");
  writeFileSync(calls, "");
  const script = join(dir, "pnpm");
  writeFileSync(
    script,
    `#!/bin/sh\necho "$*" >> "${calls}"\nfor i in $(seq 1 200); do echo "bundler chatter $i"; done\nexit ${code}\n`,
  );
  chmodSync(script, 0o755);
  return {
    env: cleanEnv({ PATH: `${dir}${delimiter}${process.env.PATH ?? ""}` }),
    calls,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
