// Every TypeScript sample in the root README is type-checked against the built packages,
// as a user's file would be, so the docs cannot drift from the API.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
const samples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe("README samples", () => {
  it("has samples for every adapter", () => {
    for (const pkg of ["webhooks-express", "webhooks-fastify", "webhooks-next", "webhooks-hono", "webhooks-redis"]) {
      expect(samples.some((s) => s.includes(`@colivara/${pkg}`))).toBe(true);
    }
    expect(samples.some((s) => s.includes("@colivara/webhooks/testing"))).toBe(true);
  });

  it("type-checks every sample under strict TypeScript", () => {
    const dir = `${here}.samples/`;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = samples.map((sample, i) => {
      const file = `${dir}sample-${String(i + 1).padStart(2, "0")}.ts`;
      // A sample with no import/export is still its own module.
      writeFileSync(file, /^\s*(import|export)\s/m.test(sample) ? sample : `${sample}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram([...files, `${here}sample-globals.d.ts`], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: ["node"],
      skipLibCheck: true,
      noUnusedLocals: false,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.slice(dir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(problems).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
