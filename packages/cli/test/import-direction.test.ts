// The CLI's files import in one direction: no file reaches itself through its imports (type
// imports included), and the page's modules (client/) import only each other and the shared
// type files, never the server.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));

async function importsOf(dir: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of (await readdir(`${root}${dir}`)).filter((name) => name.endsWith(".ts"))) {
    const text = await readFile(`${root}${dir}/${file}`, "utf8");
    const targets = [...text.matchAll(/^(?:import|export)[^;]*?from "(\.{1,2}\/[^"]+)\.js";/gms)].map((m) => {
      const target = new URL(`${m[1]}.ts`, `file:///${dir}/${file}`).pathname.slice(1);
      return target;
    });
    graph.set(`${dir}/${file}`, targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const visit = (file: string, path: string[]) => {
    if (path.includes(file)) {
      found.push([...path.slice(path.indexOf(file)), file]);
      return;
    }
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

describe("import direction", () => {
  it("no server file imports itself back through another", async () => {
    expect(cycles(await importsOf("src"))).toEqual([]);
  });

  it("the page's modules import no cycle, and of the server only its shared types", async () => {
    const client = await importsOf("client");
    expect(cycles(client)).toEqual([]);
    const server = [...client.values()].flat().filter((target) => target.startsWith("src/"));
    expect(new Set(server)).toEqual(new Set(["src/delivery-report.ts", "src/inspector-protocol.ts"]));
  });
});
