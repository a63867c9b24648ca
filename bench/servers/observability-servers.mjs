// Process entry of the observability section: one route of servers/observability-apps.mjs.
//   node observability-servers.mjs <route> <log file>

import { observabilityApp } from "./observability-apps.mjs";
import { announce, listenAll } from "./serve.mjs";

const [route, logFile] = process.argv.slice(2);
announce(await listenAll({ [route]: await observabilityApp(process.env.BENCH_SECRET, route, logFile) }));
