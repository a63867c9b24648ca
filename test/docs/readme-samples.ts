// The TypeScript samples of every README (the root one and packages/*/README.md), written
// out as files next to the README they come from, so that they resolve packages exactly as
// a user's file in that package's place would.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../../", import.meta.url));

/** One ```ts block of a README. */
export interface Sample {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based position among that README's TypeScript samples. */
  index: number;
  /** 1-based line of the opening fence in the README. */
  line: number;
  code: string;
}

/** The READMEs whose samples are checked: the root one and every package's. */
export function readmes(): string[] {
  const packages = readdirSync(`${root}packages`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `packages/${entry.name}/README.md`);
  return ["README.md", ...packages.filter((readme) => existsSync(`${root}${readme}`))];
}

/** The ```ts samples of one README. */
export function samplesOf(readme: string): Sample[] {
  const text = readFileSync(`${root}${readme}`, "utf8");
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match, i) => ({
    readme,
    index: i + 1,
    line: text.slice(0, match.index).split("\n").length,
    code: match[1] as string,
  }));
}

/** A short name for messages: `packages/hono/README.md#2 (line 40)`. */
export function nameOf(sample: Sample): string {
  return `${sample.readme}#${sample.index} (line ${sample.line})`;
}

/**
 * Writes each sample to `<README's folder>/.samples-<purpose>/sample-NN.ts` (an ES module, as
 * in a `"type": "module"` project) and returns the file of each sample, in order. `epilogue`
 * may append code to a sample's file (the runner uses it to reach a local `app`).
 */
export function writeSamples(samples: Sample[], purpose: string, epilogue?: (sample: Sample) => string): string[] {
  const dirs = new Set<string>();
  const files = samples.map((sample) => {
    const dir = `${root}${sample.readme.replace(/README\.md$/, "")}.samples-${purpose}/`;
    if (!dirs.has(dir)) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}package.json`, '{ "type": "module" }\n');
      dirs.add(dir);
    }
    const file = `${dir}sample-${String(sample.index).padStart(2, "0")}.ts`;
    // A sample with no import/export is still its own module.
    const isModule = /^\s*(import|export)\s/m.test(sample.code);
    writeFileSync(file, `${sample.code}${isModule ? "" : "\nexport {};\n"}${epilogue?.(sample) ?? ""}`);
    return file;
  });
  return files;
}

/** Removes what {@link writeSamples} wrote for `purpose`. */
export function removeSamples(samples: Sample[], purpose: string): void {
  for (const readme of new Set(samples.map((sample) => sample.readme))) {
    rmSync(`${root}${readme.replace(/README\.md$/, "")}.samples-${purpose}`, { recursive: true, force: true });
  }
}
