// The Fastify majors every plugin test runs against, side by side (fastify4 is an npm alias).
import fastify5 from "fastify";
import fastify4 from "fastify4";

/** `[label, factory]` pairs for `describe.each`; Fastify 4's factory typed as 5's. */
export const FASTIFY_VERSIONS: ReadonlyArray<readonly [string, typeof fastify5]> = [
  ["fastify 5", fastify5],
  ["fastify 4", fastify4 as unknown as typeof fastify5],
];
