// The TypeScript samples of every README (the root one and packages/*/README.md) and of every
// page of the docs site (docs/**/*.md), written out as files next to the Markdown they come
// from, so that they resolve packages exactly as a user's file in that place would.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../../", import.meta.url));

/** One ```ts block of a README. */
export interface Sample {
  /** The README or docs page, relative to the repository root. */
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

/** Every page of the docs site, relative to the repository root (`docs/guide/express.md`). */
export function docsPages(): string[] {
  return readdirSync(`${root}docs`, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md") && !file.split("/").some((part) => part.startsWith(".")))
    .map((file) => `docs/${file}`)
    .sort();
}

/** Every Markdown file whose samples are checked: the READMEs, then the docs pages. */
export function markdownFiles(): string[] {
  return [...readmes(), ...docsPages()];
}

/** The ```ts samples of one README or docs page. */
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

/** Where a Markdown file's samples are written: a folder next to it. */
function samplesDir(markdown: string, purpose: string): string {
  return `${root}${markdown.replace(/[^/]+$/, "")}.samples-${purpose}/`;
}

/**
 * Writes each sample to `<its folder>/.samples-<purpose>/<page>-NN.ts` (an ES module, as
 * in a `"type": "module"` project) and returns the file of each sample, in order. `epilogue`
 * may append code to a sample's file (the runner uses it to reach a local `app`).
 */
export function writeSamples(samples: Sample[], purpose: string, epilogue?: (sample: Sample) => string): string[] {
  const dirs = new Set<string>();
  const files = samples.map((sample) => {
    const dir = samplesDir(sample.readme, purpose);
    if (!dirs.has(dir)) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}package.json`, '{ "type": "module" }\n');
      dirs.add(dir);
    }
    const page = (sample.readme.split("/").pop() as string).replace(/\.md$/, "");
    const file = `${dir}${page}-${String(sample.index).padStart(2, "0")}.ts`;
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
    rmSync(samplesDir(readme, purpose), { recursive: true, force: true });
  }
}
