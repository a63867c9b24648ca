// The docs site: VitePress, built offline (`pnpm docs:build`), local search, no request to
// another host (the theme without web fonts, no CDN, pictures are files in the site).
import { defineConfig } from "vitepress";
import { writeLlmsFiles } from "./llms.mjs";

export default defineConfig({
  title: "ColiVara webhooks",
  description:
    "Verify ColiVara (Svix / Standard Webhooks) deliveries in Express, Fastify, Next.js, Hono and Fetch runtimes.",
  cleanUrls: false,
  lastUpdated: false,
  srcExclude: ["**/.samples-*/**", "README.md"],
  head: [
    ["meta", { name: "color-scheme", content: "light dark" }],
    // Without an icon link, browsers ask for /favicon.ico and log the 404 as a console error.
    ["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }],
  ],
  themeConfig: {
    search: { provider: "local" },
    outline: [2, 3],
    nav: [
      { text: "Guide", link: "/guide/express" },
      { text: "Troubleshooting", link: "/troubleshooting/" },
      { text: "Reference", link: "/reference/options" },
    ],
    sidebar: [
      {
        text: "Getting started",
        items: [
          { text: "Overview", link: "/" },
          { text: "Express", link: "/guide/express" },
          { text: "Fastify", link: "/guide/fastify" },
          { text: "NestJS", link: "/guide/nestjs" },
          { text: "Next.js App Router", link: "/guide/next-app" },
          { text: "Next.js Pages Router", link: "/guide/next-pages" },
          { text: "Hono", link: "/guide/hono" },
          { text: "Fetch runtimes", link: "/guide/fetch" },
          { text: "SvelteKit", link: "/guide/sveltekit" },
          { text: "Nuxt", link: "/guide/nuxt" },
          { text: "React Router 7", link: "/guide/react-router" },
          { text: "Astro", link: "/guide/astro" },
          { text: "Elysia (Bun)", link: "/guide/elysia" },
          { text: "Typed metadata", link: "/guide/typed-metadata" },
        ],
      },
      {
        text: "Testing locally",
        items: [
          { text: "The CLI: listen and send", link: "/testing/cli" },
          { text: "The inspector", link: "/testing/inspector" },
          { text: "Tunnels: expose localhost", link: "/testing/tunnels" },
          { text: "Testing your route", link: "/testing/your-tests" },
        ],
      },
      {
        text: "Going to production",
        items: [
          { text: "Secrets and rotation", link: "/production/secrets" },
          { text: "Exactly once and Redis", link: "/production/exactly-once" },
          { text: "Exactly once with PostgreSQL", link: "/production/postgres" },
          { text: "Hand-off and workers", link: "/production/hand-off" },
          { text: "Choosing Redis or PostgreSQL", link: "/production/choosing-a-store" },
          { text: "Serverless", link: "/production/serverless" },
          { text: "HTTPS and proxies", link: "/production/https" },
          { text: "Logs and OpenTelemetry", link: "/production/observability" },
          { text: "Alerts", link: "/production/alerts" },
        ],
      },
      { text: "Troubleshooting", items: [{ text: "By symptom", link: "/troubleshooting/" }] },
      {
        text: "Reference",
        items: [
          { text: "Options", link: "/reference/options" },
          { text: "Failures", link: "/reference/failures" },
          { text: "Events", link: "/reference/events" },
          { text: "CLI", link: "/reference/cli" },
        ],
      },
      {
        text: "Inside",
        items: [
          { text: "Architecture", link: "/architecture" },
          { text: "Benchmarks", link: "/benchmarks" },
        ],
      },
    ],
  },
  async buildEnd(site) {
    await writeLlmsFiles(site.srcDir, site.outDir, site.pages);
  },
});
