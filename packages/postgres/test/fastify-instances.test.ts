// Fastify: two instances in separate processes (the Redis package's fixture, a route that
// opts in) share one PostgreSQL table.
import { multiInstanceSuite } from "../../redis/test/multi-instance-suite.js";
import { POSTGRES_STORE } from "./shared-postgres.js";

multiInstanceSuite({ name: "Fastify", script: "fastify-instance.mjs", store: POSTGRES_STORE });
