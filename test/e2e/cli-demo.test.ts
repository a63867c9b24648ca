// `pnpm demo` runs `pnpm build && node scripts/demo.mjs`. The test suite has already built
// the packages (`pnpm test` builds first), so it runs the script itself: a rebuild here would
// delete the dist folders other test files are using.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanEnv, repoRoot, startProcess } from "./cli-support.js";

const rootPackage = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const demoScript = fileURLToPath(new URL("../../scripts/demo.mjs", import.meta.url));

describe("pnpm demo", () => {
  it("builds first, then runs scripts/demo.mjs", () => {
    expect(rootPackage.scripts.demo).toBe("pnpm build && node scripts/demo.mjs");
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
