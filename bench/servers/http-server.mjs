// Process entry of the HTTP sections (bench/http-load.mjs starts one per route):
//   node http-server.mjs <express|fastify|next-pages> <ours|bare|floor|svix>
import { HTTP_APPS } from "./http-apps.mjs";
import { announce, listenAll } from "./serve.mjs";

const [adapter, route] = process.argv.slice(2);
announce(await listenAll({ [route]: await HTTP_APPS[adapter](process.env.BENCH_SECRET, route) }));
