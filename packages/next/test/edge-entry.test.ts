// The built files Next's Edge bundler gets (the "edge-light" export condition) must not
// import Node built-ins or the Node-only Pages Router code, in any module they reach.
// Runs on dist/ (the root `pnpm test` builds first).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packages = fileURLToPath(new URL("../../", import.meta.url));

interface PackageJson {
  exports: Record<string, string | Record<string, unknown>>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(packages, dir, "package.json"), "utf8")) as PackageJson;
}

/** The file a bare specifier of ours resolves to for an ESM import. */
function resolveWorkspace(specifier: string): string {
  const match = /^@colivara\/webhooks(?:-next)?(\/.+)?$/.exec(specifier);
  if (!match) throw new Error(`unexpected import ${specifier}`);
  const dir = specifier.startsWith("@colivara/webhooks-next") ? "next" : "core";
  const entry = readPackage(dir).exports[`.${match[1] ?? ""}`] as { import: { default: string } };
  return join(packages, dir, entry.import.default);
}

/** Every module reachable from `file` by static or dynamic import, with what it imports. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  // Comments hold TSDoc examples (`import { z } from "zod"`), not imports.
  const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
  seen.set(file, specifiers);
  for (const specifier of specifiers) {
    if (specifier.startsWith(".")) importGraph(resolve(dirname(file), specifier), seen);
    else if (specifier.startsWith("@colivara/")) importGraph(resolveWorkspace(specifier), seen);
  }
  return seen;
}

describe("the Edge entry", () => {
  const exported = readPackage("next").exports["."] as Record<string, { default: string; types: string }>;

  it('is what the "edge-light" condition resolves to, ahead of import/require', () => {
    expect(Object.keys(exported)[0]).toBe("edge-light");
    expect(exported["edge-light"]?.default).toBe("./dist/edge.mjs");
    expect(exported["edge-light"]?.types).toBe(exported.import?.types);
  });

  it("reaches no Node built-in and no Node-only dependency", () => {
    const graph = importGraph(join(packages, "next", "dist", "edge.mjs"));
    const bare = [...graph.values()].flat().filter((s) => !s.startsWith(".") && !s.startsWith("@colivara/"));
    expect(bare).toEqual([]);
    expect(graph.size).toBeGreaterThan(2); // it did follow the core's modules
  });

  it("the Node entry needs nothing but the core either (its body reader is the core's)", () => {
    const graph = importGraph(join(packages, "next", "dist", "index.mjs"));
    const bare = [...graph.values()].flat().filter((s) => !s.startsWith(".") && !s.startsWith("@colivara/"));
    expect(bare.filter((s) => !s.startsWith("node:"))).toEqual([]);
  });

  it("exports the same names as the Node entry, the Pages wrapper failing with the fix", async () => {
    const edge = await import("../dist/edge.mjs");
    const node = await import("../dist/index.mjs");
    expect(Object.keys(edge).sort()).toEqual(Object.keys(node).sort());
    expect(() => edge.withColivaraWebhookPages(() => {})).toThrow(/withColivaraWebhook\(\) in an App Router route/);
  });
});
