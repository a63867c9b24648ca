// Fastify: two instances in separate processes (fixtures/fastify-instance.mjs, a route that
// opts in, so the outcome reaches the store through settle() on the reply) share one Redis.
import { multiInstanceSuite } from "./multi-instance-suite.js";

multiInstanceSuite({ name: "Fastify", script: "fastify-instance.mjs" });
