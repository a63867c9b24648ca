// Run under valgrind by bench/instructions.mjs: one route of one adapter, driven `count`
// times with the same signed delivery, four at a time, then the process exits. The
// instruction count of the whole process is the measure.
//   node bench/servers/instruction-driver.mjs <adapter> <ours|bare|floor|svix> <KiB> <count>
// HTTP adapters (Express, Fastify, Next Pages) listen on 127.0.0.1 and this same process
// sends them keep-alive requests; Fetch adapters (Next App Router, the Fetch handler, Hono)
// are called with a new Request, as in the throughput sections.
import { Agent, request } from "node:http";
import { KiB, SECRET, signDelivery, upsertSuccessBody } from "../lib.mjs";
import { FETCH_APPS, FETCH_URL } from "./fetch-apps.mjs";
import { HTTP_APPS } from "./http-apps.mjs";
import { listenAll } from "./serve.mjs";

const [adapter, route, kib, count] = process.argv.slice(2);
const body = upsertSuccessBody(Number(kib) * KiB);
const { host: _host, ...headers } = signDelivery(body);

async function httpDeliver() {
  const server = await HTTP_APPS[adapter](SECRET, route);
  const { [route]: port } = await listenAll({ [route]: server });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return () =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/hook", method: "POST", headers, agent }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${route} answered ${res.statusCode}`)),
        );
      });
      req.on("error", reject);
      req.end(body);
    });
}

function fetchDeliver() {
  const handle = FETCH_APPS[adapter][route](SECRET);
  return async () => {
    const response = await handle(new Request(FETCH_URL, { method: "POST", body, headers }));
    if (response.status !== 204) throw new Error(`${route} answered ${response.status}`);
  };
}

const deliver = adapter in HTTP_APPS ? await httpDeliver() : fetchDeliver();
let left = Number(count);
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (left-- > 0) await deliver();
  }),
);
process.exit(0);
