// Fetch runtimes (createWebhookHandler, what the Next.js App Router wrapper returns): two
// instances in separate processes (the Redis package's fixture) share one PostgreSQL table.
import { multiInstanceSuite } from "../../redis/test/multi-instance-suite.js";
import { POSTGRES_STORE } from "./shared-postgres.js";

multiInstanceSuite({
  name: "Fetch handler (createWebhookHandler)",
  script: "fetch-instance.mjs",
  store: POSTGRES_STORE,
});
