// Express: two instances in separate processes (fixtures/express-instance.mjs, middleware
// mode, so the outcome reaches the store through settle() on the response) share one Redis.
import { multiInstanceSuite } from "./multi-instance-suite.js";

multiInstanceSuite({ name: "Express", script: "express-instance.mjs" });
