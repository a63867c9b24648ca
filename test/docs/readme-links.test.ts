// The READMEs send readers into the docs site by relative links: each must name a file that
// exists, and an #anchor into a docs page must name one of its headings (as VitePress slugs
// them), so that a link from npm or GitHub never leads nowhere.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { readmes, root } from "./readme-samples.js";

/** VitePress's anchor for a heading: `` `invalid_signature` `` -> `invalid-signature`. */
function slug(heading: string): string {
  return heading
    .normalize("NFKD")
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}

function deadLinks(markdown: string): string[] {
  const text = readFileSync(join(root, markdown), "utf8").replace(/^```[\s\S]*?^```$/gm, "");
  const dead: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target as string) || (target as string).startsWith("#")) continue;
    const [path, anchor] = (target as string).split("#") as [string, string | undefined];
    const file = normalize(join(root, dirname(markdown), path));
    if (!existsSync(file)) {
      dead.push(`${markdown}: ${target} (no such file)`);
      continue;
    }
    if (anchor && file.endsWith(".md") && file.includes("/docs/")) {
      const headings = [...readFileSync(file, "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string));
      if (!headings.includes(anchor)) dead.push(`${markdown}: ${target} (no heading #${anchor})`);
    }
  }
  return dead;
}

describe("links from the READMEs", () => {
  it("lead to files that exist, and to headings that exist in docs pages", () => {
    const files = [...readmes(), "CONTRIBUTING.md"];
    expect(files.flatMap(deadLinks)).toEqual([]);
  });

  it("include links into the docs from the root README and every package README", () => {
    for (const readme of readmes()) expect(readFileSync(join(root, readme), "utf8"), readme).toMatch(/\]\([./]*docs\//);
  });
});
