// llms.txt (an index: each page's title, link and first sentence) and llms-full.txt (every
// page's Markdown, in sidebar order) written into the built site, from the same sources.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const INTRO =
  "# ColiVara webhooks\n\n> Verify ColiVara (Svix / Standard Webhooks) deliveries and get a typed event in Express, Fastify, Next.js, Hono and Fetch runtimes, with exactly-once handling, a durable hand-off and a CLI to test locally.\n";

/** Title and first paragraph of a page's Markdown. */
function summarise(markdown) {
  const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, "").replace(/^```[\s\S]*?^```$/gm, "");
  const title = /^# (.+)$/m.exec(body)?.[1] ?? "";
  const first = body
    .split(/\n\n+/)
    .map((block) => block.trim())
    .find((block) => block !== "" && !/^[#|!<:-]/.test(block));
  // Links between pages point at the built site's pages, as the index's own links do.
  const summary = (first ?? "").replace(/\s+/g, " ").replace(/\]\((\.{1,2}\/[^)#]*)\.md(#[^)]*)?\)/g, "]($1.html$2)");
  return { title, summary };
}

/**
 * Writes `llms.txt` and `llms-full.txt` into `outDir`.
 * @param {string} srcDir @param {string} outDir @param {string[]} pages the site's pages (`guide/express.md`)
 */
export async function writeLlmsFiles(srcDir, outDir, pages) {
  const sorted = [...pages].sort((a, b) => (a === "index.md" ? -1 : b === "index.md" ? 1 : a.localeCompare(b)));
  const index = [INTRO, "## Pages\n"];
  const full = [INTRO];
  for (const page of sorted) {
    const markdown = await readFile(join(srcDir, page), "utf8");
    const { title, summary } = summarise(markdown);
    const link = `/${page.replace(/(^|\/)index\.md$/, "$1").replace(/\.md$/, ".html")}`;
    index.push(`- [${title}](${link}): ${summary}`);
    full.push(`\n<!-- ${link} -->\n\n${markdown.replace(/^---\n[\s\S]*?\n---\n/, "").trim()}\n`);
  }
  await writeFile(join(outDir, "llms.txt"), `${index.join("\n")}\n`);
  await writeFile(join(outDir, "llms-full.txt"), full.join("\n"));
}
