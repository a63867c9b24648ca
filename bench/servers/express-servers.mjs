// Process entry of the Express section (bench/http-load.mjs starts one per route):
//   node express-servers.mjs <ours|bare|floor|svix>
import { expressApp } from "./express-apps.mjs";
import { announce, listenAll } from "./serve.mjs";

const route = process.argv[2];
announce(await listenAll({ [route]: await expressApp(process.env.BENCH_SECRET, route) }));
