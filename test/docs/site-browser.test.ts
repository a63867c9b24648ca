// The docs site as a reader meets it: built with `vitepress build` into a temporary folder,
// served from 127.0.0.1, and every page opened in Chromium. A console error, a failed or
// refused request, a request to any other host, or an internal link (or #anchor) that leads
// nowhere fails the test; the local search must find the troubleshooting entry for
// invalid_signature.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../e2e/inspector-browser.js";
import { docsPages, root } from "./readme-samples.js";

const outDir = mkdtempSync(join(tmpdir(), "colivara-docs-"));
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  await buildSite(outDir);
  server = await serveStatic(outDir);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 180_000); // a VitePress build: seconds alone, more on two cores shared with the suite

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(outDir, { recursive: true, force: true });
});

describe("the docs site in Chromium", () => {
  it("builds llms.txt and llms-full.txt from every page", () => {
    const index = readFileSync(join(outDir, "llms.txt"), "utf8");
    const full = readFileSync(join(outDir, "llms-full.txt"), "utf8");
    for (const page of docsPages()) {
      expect(index, page).toContain(`(${urlOf(page)})`);
      expect(full, page).toContain(`<!-- ${urlOf(page)} -->`);
    }
    expect(full).toContain("### `invalid_signature`");
  });

  it("opens every page with no console error, no failed request, no other host and no dead internal link", async () => {
    const problems: string[] = [];
    const links = new Map<string, string>(); // target URL -> the page that links to it
    const pages = docsPages();
    // Four tabs at a time: each page waits for its network to go quiet.
    for (let i = 0; i < pages.length; i += 4) {
      const found = await Promise.all(pages.slice(i, i + 4).map((docsPage) => visit(docsPage, problems)));
      for (const [url, hrefs] of found) {
        for (const href of hrefs) if (href.startsWith(origin) && !links.has(href)) links.set(href, url);
      }
    }
    for (const [href, from] of links) {
      const problem = await deadLink(href);
      if (problem) problems.push(`${from} links to ${href}: ${problem}`);
    }
    expect(links.size).toBeGreaterThan(docsPages().length);
    expect(problems).toEqual([]);
  }, 120_000);

  it("finds the troubleshooting entry for invalid_signature with the local search", async () => {
    const problems: string[] = [];
    const page = await browser.newPage();
    watch(page, origin, problems);
    await page.goto(`${origin}/`, { waitUntil: "networkidle" });
    await page.click("button.DocSearch-Button");
    await page.fill("#localsearch-input", "invalid_signature");
    const result = page.locator('a.result[href*="troubleshooting/"][href$="#invalid-signature"]');
    await result.first().waitFor({ timeout: 15_000 });
    await result.first().click();
    await page.waitForURL(/troubleshooting\/(index\.html)?#invalid-signature$/);
    expect(await page.locator("h3#invalid-signature").textContent()).toContain("invalid_signature");
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});

/** The built page's path for a docs page: `docs/guide/express.md` -> `/guide/express.html`. */
function urlOf(docsPage: string): string {
  const path = docsPage.replace(/^docs\//, "");
  return `/${path.replace(/(^|\/)index\.md$/, "$1").replace(/\.md$/, ".html")}`;
}

/** Opens one page as a reader would; gives back its URL and the links on it. */
async function visit(docsPage: string, problems: string[]): Promise<[string, string[]]> {
  const url = `${origin}${urlOf(docsPage)}`;
  const page = await browser.newPage();
  try {
    watch(page, url, problems);
    const response = await page.goto(url, { waitUntil: "networkidle" });
    if (response?.status() !== 200) problems.push(`${url}: answered ${response?.status()}`);
    const hrefs = await page.$$eval("a[href]", (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    return [url, hrefs];
  } finally {
    await page.close();
  }
}

/** Records what a reader would see go wrong on `page`. */
function watch(page: Page, url: string, problems: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${url}: console error ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${url}: ${error.message}`));
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) {
      problems.push(`${url}: requested another host: ${request.url()}`);
    }
  });
  page.on("requestfailed", (request) =>
    problems.push(`${url}: ${request.url()} failed (${request.failure()?.errorText})`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${url}: ${response.url()} answered ${response.status()}`);
  });
}

/** Why an internal link leads nowhere (no such page, or no such #anchor on it), if it does. */
async function deadLink(href: string): Promise<string | undefined> {
  const url = new URL(href);
  const response = await fetch(`${url.origin}${url.pathname}`);
  if (response.status !== 200) return `answered ${response.status}`;
  const hash = decodeURIComponent(url.hash.slice(1));
  if (hash === "" || !response.headers.get("content-type")?.startsWith("text/html")) return undefined;
  const html = await response.text();
  return html.includes(`id="${hash}"`) ? undefined : `no element with id "${hash}"`;
}

/** `vitepress build docs --outDir <dir>`, in its own process (its Vite is not vitest's). */
async function buildSite(dir: string): Promise<void> {
  const cli = join(root, "node_modules/vitepress/bin/vitepress.js");
  const child = spawn(process.execPath, [cli, "build", "docs", "--outDir", dir], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0 || !existsSync(join(dir, "index.html")))
    throw new Error(`vitepress build failed (${code}):\n${output}`);
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** A static file server for the built site on 127.0.0.1, as a reader's static host would be. */
async function serveStatic(dir: string): Promise<Server> {
  const files = new Set(readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => `/${file}`));
  const httpServer = createServer((request, response) => {
    let path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    if (path.endsWith("/")) path += "index.html";
    const file = join(dir, path);
    if (!files.has(path) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      response.end(readFileSync(join(dir, "404.html")));
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return httpServer;
}
