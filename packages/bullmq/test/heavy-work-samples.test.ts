// The TypeScript samples of HEAVY-WORK.md (also in this package's README) type-check
// against the built packages, as a user's file would.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const here = fileURLToPath(new URL("./", import.meta.url));
const globals = fileURLToPath(new URL("../../../test/docs/sample-globals.d.ts", import.meta.url));

test("every HEAVY-WORK.md sample type-checks under strict TypeScript", () => {
  const markdown = readFileSync(new URL("../HEAVY-WORK.md", import.meta.url), "utf8");
  const samples = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(samples.length).toBeGreaterThanOrEqual(4);
  const dir = `${here}.samples/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = samples.map((sample, i) => {
    const file = `${dir}sample-${i + 1}.ts`;
    writeFileSync(file, `${sample}\nexport {};\n`);
    return file;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    skipLibCheck: true,
  };
  const program = ts.createProgram([...files, globals], options);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.slice(dir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  rmSync(dir, { recursive: true, force: true });
  expect(problems).toEqual([]);
}, 60_000);
