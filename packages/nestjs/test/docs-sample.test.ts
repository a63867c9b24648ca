// The NestJS guide's testing sample is a user's test file: it is run as one, by Vitest in a
// child process (with the tsconfig every Nest project has: legacy decorators), and must pass.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { root, samplesOf } from "../../../test/docs/readme-samples.js";
import { runAsUserTestFile } from "../../../test/docs/user-test-file.js";

const sample = samplesOf("docs/guide/nestjs.md").find((s) => s.code.includes('from "@nestjs/testing"'));
const dir = `${root}.samples-nestjs-testing/`;

describe("docs: testing a Nest app with @nestjs/testing and supertest", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is in the guide and exercises a genuine and a forged delivery", () => {
    expect(sample?.code).toContain("signWebhook");
    expect(sample?.code).toMatch(/toBe\(204\)/);
    expect(sample?.code).toMatch(/toBe\(401\)/);
  });

  it("passes when run as the user's own test file", () => {
    const tsconfig = '{ "compilerOptions": { "experimentalDecorators": true } }\n';
    const { status, output } = runAsUserTestFile(dir, sample?.code ?? "", { "tsconfig.json": tsconfig });
    expect(status, output).toBe(0);
    expect(output).toMatch(/Tests\s+1 passed \(1\)/);
  });
});
