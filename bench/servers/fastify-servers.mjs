// Process entry of the Fastify section (bench/http-load.mjs starts one per route):
//   node fastify-servers.mjs <ours|bare|floor|svix>
import { fastifyApp } from "./fastify-apps.mjs";
import { announce, listenAll } from "./serve.mjs";

const route = process.argv[2];
announce(await listenAll({ [route]: await fastifyApp(process.env.BENCH_SECRET, route) }));
