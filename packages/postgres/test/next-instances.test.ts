// Next.js instances (both routers, the Redis package's fixture app) sharing one PostgreSQL
// table; built into its own directory, so it runs beside the Redis package's Next.js test.
import { nextInstancesSuite } from "../../redis/test/next-instances-suite.js";
import { POSTGRES_STORE } from "./shared-postgres.js";

nextInstancesSuite("postgres", POSTGRES_STORE);
