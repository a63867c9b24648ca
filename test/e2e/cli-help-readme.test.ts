// The CLI's --help, its README and the docs' CLI reference describe the same commands and
// flags: a flag added to one and not the others fails here.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT, runCli } from "./cli-support.js";

const readme = fileURLToPath(new URL("../../packages/cli/README.md", import.meta.url));
const reference = fileURLToPath(new URL("../../docs/reference/cli.md", import.meta.url));

function flags(text: string): string[] {
  return [...new Set(text.match(/--[a-z][a-z-]+/g) ?? [])].filter((flag) => flag !== "--help").sort();
}

/** A document's `## \`command …\`` (or `###`) sections, each up to the next heading or the end. */
async function readmeSections(file = readme): Promise<Map<string, string>> {
  const text = await readFile(file, "utf8");
  const sections = new Map<string, string>();
  for (const match of text.matchAll(/^#{2,3} `([a-z]+)[^`]*`\n([\s\S]*?)(?=^#{1,3} |(?![\s\S]))/gm)) {
    sections.set(match[1] as string, match[2] as string);
  }
  return sections;
}

async function helpCommands(): Promise<string[]> {
  const help = await runCli(["--help"]);
  expect(help.code).toBe(EXIT.ok);
  const commands = help.stdout.split("Commands:")[1] ?? "";
  return [...commands.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string).filter((name) => name !== "help");
}

describe.each([
  ["the README", readme],
  ["the docs' CLI reference", reference],
])("--help and %s agree", (_name, file) => {
  it("on the commands", async () => {
    expect([...(await readmeSections(file)).keys()].sort()).toEqual((await helpCommands()).sort());
  });

  it.each(["secret", "send", "verify", "listen", "register"])("on every flag of %s", async (command) => {
    const help = await runCli([command, "--help"]);
    const section = (await readmeSections(file)).get(command) ?? "";
    // The help's own text (its examples) may name other commands' flags: compare its options only.
    const options = help.stdout.split(/\n(?:Examples?|Exit codes):/)[0] ?? "";
    expect(flags(section)).toEqual(flags(options.split("Options:")[1] ?? ""));
  });
});

describe("the inspector and the README agree", () => {
  it("on every button the page shows", async () => {
    const { LABELS } = await import("../../packages/cli/client/labels.js");
    const text = await readFile(readme, "utf8");
    for (const label of Object.values(LABELS)) expect(text).toContain(`**${label.replace(/ \(.*\)$/, "")}**`);
  });

  it("on every flag the page names: each is a flag of listen", async () => {
    const client = fileURLToPath(new URL("../../packages/cli/client/", import.meta.url));
    const { readdir } = await import("node:fs/promises");
    const named = new Set<string>();
    for (const file of (await readdir(client)).filter((name) => name.endsWith(".ts") || name.endsWith(".html"))) {
      for (const flag of flags(await readFile(`${client}${file}`, "utf8"))) named.add(flag);
    }
    expect(named.size).toBeGreaterThan(0);
    const listen = flags((await runCli(["listen", "--help"])).stdout);
    // The page writes curl commands: curl's own flag is not the CLI's.
    const curl = ["--data-binary"];
    expect([...named].filter((flag) => !listen.includes(flag) && !curl.includes(flag))).toEqual([]);
  });
});
