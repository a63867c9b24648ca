// Fetch runtimes (the Next.js App Router wrapper is createWebhookHandler with a lazy secret):
// two instances in separate processes (fixtures/fetch-instance.mjs) share one Redis.
import { multiInstanceSuite } from "./multi-instance-suite.js";

multiInstanceSuite({ name: "Fetch handler (createWebhookHandler)", script: "fetch-instance.mjs" });
