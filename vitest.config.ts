import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import workspace packages from their sources, so an edit to the core shows in every
// adapter's tests without a build (tRPC does the same). Servers started in child processes
// (load, e2e, install tests) still run the built packages: `pnpm test` builds first.
export const workspaceSources = [
  { find: /^@colivara\/webhooks\/adapter$/, replacement: source("core/src/adapter.ts") },
  { find: /^@colivara\/webhooks\/testing$/, replacement: source("core/src/testing.ts") },
  { find: /^@colivara\/webhooks\/worker$/, replacement: source("core/src/worker.ts") },
  { find: /^@colivara\/webhooks$/, replacement: source("core/src/index.ts") },
  { find: /^@colivara\/webhooks-express$/, replacement: source("express/src/index.ts") },
  { find: /^@colivara\/webhooks-fastify$/, replacement: source("fastify/src/index.ts") },
  { find: /^@colivara\/webhooks-hono$/, replacement: source("hono/src/index.ts") },
  { find: /^@colivara\/webhooks-nestjs$/, replacement: source("nestjs/src/index.ts") },
  { find: /^@colivara\/webhooks-next$/, replacement: source("next/src/index.ts") },
  { find: /^@colivara\/webhooks-redis$/, replacement: source("redis/src/index.ts") },
  { find: /^@colivara\/webhooks-postgres$/, replacement: source("postgres/src/index.ts") },
  { find: /^@colivara\/webhooks-bullmq$/, replacement: source("bullmq/src/index.ts") },
];

export default defineConfig({
  resolve: { alias: workspaceSources },
  // Nest's decorators are TypeScript's legacy ones (every Nest project's tsconfig sets
  // experimentalDecorators): the NestJS tests and README samples use them; no other file has any.
  oxc: { decorator: { legacy: true } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
