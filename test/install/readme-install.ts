// What a package README tells a new user to type: its install line(s), the commands it
// says to run next, and the quickstart sample to start. The samples themselves are found
// with the docs test's extraction (test/docs), so both tests read a README the same way.
import { readFileSync } from "node:fs";
import { root, type Sample, samplesOf } from "../docs/readme-samples.js";
import { kindOf } from "../docs/sample-servers.js";

/** One way to follow a README's install block (a `# or: x` comment gives a second one). */
export interface InstallVariant {
  /** The README, relative to the repository root. */
  readme: string;
  /** `default`, or the alternative package an `# or:` comment offers. */
  name: string;
  /** Each `npm install …` line as words, comments removed, in order. */
  lines: string[][];
  /** The package this variant leaves out for an `# or:` alternative: its samples belong to the other variant. */
  without?: string;
  /** Other commands the block says to run (`# then: npx …`, `npx …` lines), as words. */
  commands: string[][];
}

const words = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean);

/** The first ```sh block of a README that has an `npm install` line. */
export function installBlock(readme: string): string {
  const text = readFileSync(`${root}${readme}`, "utf8");
  const block = [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
    .map((match) => match[1] as string)
    .find((code) => /^npm install /m.test(code));
  if (block === undefined) throw new Error(`${readme} has no \`\`\`sh block with an npm install line`);
  return block;
}

/**
 * The install variants of a README. Comments are read, not run: `# or: redis` after
 * `… ioredis` is a second variant with `redis` in its place; `# then: <command>` is a
 * command to run after installing; any other comment (`# on Node.js only`) is a note.
 */
export function installVariantsOf(readme: string): InstallVariant[] {
  const lines: string[][] = [];
  const commands: string[][] = [];
  const alternatives: { line: number; replaced: string; by: string }[] = [];
  for (const raw of installBlock(readme).split("\n")) {
    const [code = "", comment = ""] = raw.split(/\s#\s*/, 2);
    const command = words(code);
    if (command.length === 0) continue;
    if (command[0] === "npm" && command[1] === "install") {
      const or = /^or:\s*(\S+)$/.exec(comment.trim());
      if (or) alternatives.push({ line: lines.length, replaced: command.at(-1) as string, by: or[1] as string });
      lines.push(command);
    } else if (command[0] === "npx") {
      commands.push(command);
    }
    const then = /^then:\s*(.+)$/.exec(comment.trim());
    if (then) commands.unshift(words(then[1] as string));
  }
  const variants: InstallVariant[] = [{ readme, name: "default", lines, commands }];
  for (const { line, replaced, by } of alternatives) {
    const swapped = lines.map((words, i) => (i === line ? [...words.slice(0, -1), by] : words));
    variants[0] = { ...(variants[0] as InstallVariant), without: by };
    variants.push({ readme, name: by, lines: swapped, without: replaced, commands });
  }
  return variants;
}

/** The package names an install line adds (its words after `npm install` that are not flags). */
export function packagesOf(line: string[]): string[] {
  return line.slice(2).filter((word) => !word.startsWith("-"));
}

/** A package's name without the version an install line pins (`@nestjs/platform-express@11`, `ioredis@5`). */
export function packageName(spec: string): string {
  return spec.replace(/(.)@[^/]*$/, "$1");
}

/** The bare package names a sample imports (`@scope/name` or `name`, never `node:`). */
export function importsOf(sample: Sample): string[] {
  const specifiers = [...sample.code.matchAll(/^import\s[^"]*"([^"]+)"/gm)].map((match) => match[1] as string);
  const packages = specifiers
    .filter((specifier) => !specifier.startsWith("node:") && !specifier.startsWith("."))
    .map((specifier) =>
      specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/"),
    );
  return [...new Set(packages)];
}

// GitHub's slug: lower case, punctuation dropped, spaces to hyphens (VitePress slugs agree
// on the headings the READMEs link to).
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");

/** The samples of `page`, or of its section under the heading `anchor` names. */
function samplesUnder(page: string, anchor: string | undefined): Sample[] {
  if (anchor === undefined) return samplesOf(page);
  const lines = readFileSync(`${root}${page}`, "utf8").split("\n");
  const start = lines.findIndex((line) => /^#+ /.test(line) && slug(line.replace(/^#+ /, "")) === anchor);
  if (start < 0) throw new Error(`a package README links to ${page}#${anchor}, which has no such heading`);
  const level = (/^#+/.exec(lines[start] as string) as RegExpExecArray)[0].length;
  const after = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line));
  const end = after < 0 ? lines.length : after;
  return samplesOf(page).filter((sample) => sample.line > start && sample.line <= end);
}

/**
 * The samples of the pages a package README sends its readers to (the root README or a docs
 * page, `../../docs/production/hand-off.md` or `../../README.md#anchor`), in link order.
 */
function linkedSamples(readme: string): Sample[] {
  const text = readFileSync(`${root}${readme}`, "utf8");
  const links = text.matchAll(/\]\(\.\.\/\.\.\/((?:README|docs\/[^)#\s]+)\.md)(?:#([a-z0-9-]+))?\)/g);
  return [...links].flatMap(([, page, anchor]) => samplesUnder(page as string, anchor));
}

/**
 * The quickstart of a variant: the README's first runnable server sample, or, when it has
 * none, the first one of the pages it links to (the docs, or a root README section). A sample that imports the
 * package the variant leaves out belongs to the other variant.
 */
export function quickstartOf(variant: InstallVariant): Sample {
  const without = variant.without === undefined ? undefined : packageName(variant.without);
  const fits = (sample: Sample) =>
    kindOf(sample) !== undefined && (without === undefined || !importsOf(sample).includes(without));
  const sample = samplesOf(variant.readme).find(fits) ?? linkedSamples(variant.readme).find(fits);
  if (sample === undefined) throw new Error(`${variant.readme} (${variant.name}) has no runnable server sample`);
  return sample;
}

/** The first command of the README's ```sh blocks that matches `pattern`, as words (comment removed, `$(…)` opened). */
export function firstCommand(readme: string, pattern: RegExp): string[] {
  const text = readFileSync(`${root}${readme}`, "utf8");
  const lines = [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].flatMap((match) => (match[1] as string).split("\n"));
  for (const line of lines) {
    const code = (line.split(/\s#\s/, 1)[0] as string).replace(/^.*\$\((.*)\).*$/, "$1");
    if (pattern.test(code)) return words(code);
  }
  throw new Error(`${readme} has no command matching ${pattern}`);
}
