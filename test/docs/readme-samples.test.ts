// Every TypeScript sample in every README (root and packages/*) and every docs page (docs/**)
// is type-checked against the built packages under strict TypeScript, as a user's file would
// be, so the docs cannot drift from the API. Samples are self-contained: nothing is declared
// for them.
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import {
  docsPages,
  markdownFiles,
  nameOf,
  readmes,
  removeSamples,
  type Sample,
  samplesOf,
  writeSamples,
} from "./readme-samples.js";

const all: Sample[] = markdownFiles().flatMap(samplesOf);

describe("README and docs samples", () => {
  afterAll(() => removeSamples(all, "check"));

  it("covers the root README and every package README", () => {
    expect(readmes()).toEqual(
      expect.arrayContaining([
        "README.md",
        "packages/core/README.md",
        "packages/express/README.md",
        "packages/fastify/README.md",
        "packages/hono/README.md",
        "packages/next/README.md",
        "packages/redis/README.md",
      ]),
    );
    for (const readme of readmes()) expect(samplesOf(readme).length, readme).toBeGreaterThan(0);
  });

  it("has a quickstart for every adapter in the root README", () => {
    const root = samplesOf("README.md");
    for (const pkg of ["webhooks-express", "webhooks-fastify", "webhooks-next", "webhooks-hono", "webhooks"]) {
      expect(root.some((s) => s.code.includes(`@colivara/${pkg}"`))).toBe(true);
    }
  });

  it("covers every page of the docs site, and every getting-started page has a sample", () => {
    const pages = docsPages();
    for (const page of ["express", "fastify", "nestjs", "next-app", "next-pages", "hono", "fetch", "typed-metadata"]) {
      expect(pages).toContain(`docs/guide/${page}.md`);
      expect(samplesOf(`docs/guide/${page}.md`).length, page).toBeGreaterThan(0);
    }
    const withSamples = pages.filter((page) => samplesOf(page).length > 0);
    for (const pkg of [
      "webhooks-redis",
      "webhooks-postgres",
      "webhooks-bullmq",
      "webhooks/testing",
      "webhooks/otel",
      "webhooks-cli",
    ]) {
      expect(
        withSamples.some((page) => samplesOf(page).some((s) => s.code.includes(`@colivara/${pkg}"`))),
        pkg,
      ).toBe(true);
    }
  });

  it("type-checks every sample under strict TypeScript", () => {
    const files = writeSamples(all, "check");
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: ["node"],
      skipLibCheck: true,
      noUnusedLocals: false,
      // Nest's decorators are TypeScript's legacy ones, as every Nest project's tsconfig sets them.
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const index = d.file ? files.indexOf(d.file.fileName) : -1;
      const where = index >= 0 ? `${nameOf(all[index] as Sample)}+${lineOf(d)}` : (d.file?.fileName ?? "");
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(problems).toEqual([]);
  }, 300_000); // one TypeScript program over every sample: minutes on two busy cores
});

/** The line, within the sample, a diagnostic points at. */
function lineOf(d: ts.Diagnostic): number {
  return d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : 0;
}
