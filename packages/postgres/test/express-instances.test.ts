// Express: two instances in separate processes (the Redis package's fixture, middleware
// mode) share one PostgreSQL table.
import { multiInstanceSuite } from "../../redis/test/multi-instance-suite.js";
import { POSTGRES_STORE } from "./shared-postgres.js";

multiInstanceSuite({ name: "Express", script: "express-instance.mjs", store: POSTGRES_STORE });
