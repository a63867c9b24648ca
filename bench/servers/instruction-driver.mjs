// Run under valgrind by bench/instructions.mjs: one route of one adapter, driven with the
// same signed delivery, four at a time: `warmup` deliveries, then `count` measured ones.
// process.cpuUsage() marks the edges of the measured series: callgrind dumps its counters
// on entering node::CPUUsage (--dump-before), so the second dump holds the instructions of
// exactly the measured deliveries, without start-up, warm-up or exit.
//   node bench/servers/instruction-driver.mjs <adapter> <ours|bare|floor|svix> <KiB> <warmup> <count>
// HTTP adapters (Express, Fastify, Next Pages) listen on 127.0.0.1 and this same process
// sends them keep-alive requests; Fetch adapters (Next App Router, the Fetch handler, Hono)
// are called with a new Request, as in the throughput sections.
import { Agent, request } from "node:http";
import { KiB, SECRET, signDelivery, upsertSuccessBody } from "../lib.mjs";
import { FETCH_APPS, FETCH_URL } from "./fetch-apps.mjs";
import { HTTP_APPS } from "./http-apps.mjs";
import { listenAll } from "./serve.mjs";

const [adapter, route, kib, warmup, count] = process.argv.slice(2);
const body = upsertSuccessBody(Number(kib) * KiB);
// Signed again once a minute: under valgrind on a loaded machine a run can outlast the
// 5-minute timestamp tolerance (ours and svix would then answer 401).
let headers;
let signedAt = Number.NEGATIVE_INFINITY;
function signed() {
  if (Date.now() - signedAt > 60_000) {
    const { host: _host, ...fresh } = signDelivery(body);
    headers = fresh;
    signedAt = Date.now();
  }
  return headers;
}

async function httpDeliver() {
  const server = await HTTP_APPS[adapter](SECRET, route);
  // Under valgrind on a loaded machine a request can take longer than Node's 5 s keep-alive
  // timeout; a socket closed under the client would end the run with ECONNRESET.
  server.keepAliveTimeout = 600_000;
  const { [route]: port } = await listenAll({ [route]: server });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return () =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/hook", method: "POST", headers: signed(), agent },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${route} answered ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

function fetchDeliver() {
  const handle = FETCH_APPS[adapter][route](SECRET);
  return async () => {
    const response = await handle(new Request(FETCH_URL, { method: "POST", body, headers: signed() }));
    if (response.status !== 204) throw new Error(`${route} answered ${response.status}`);
  };
}

const deliver = adapter in HTTP_APPS ? await httpDeliver() : fetchDeliver();
async function series(total) {
  let left = total;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (left-- > 0) await deliver();
    }),
  );
}

await series(Number(warmup));
process.cpuUsage();
await series(Number(count));
process.cpuUsage();
process.exit(0);
