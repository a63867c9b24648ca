// Run under valgrind by bench/instructions.mjs: one route of one framework listens on
// 127.0.0.1 and this same process sends it `count` signed deliveries over keep-alive HTTP,
// four at a time, then exits. The instruction count of the whole process is the measure.
//
//   node bench/servers/instruction-driver.mjs <express|fastify> <ours|bare|floor|svix> <KiB> <count>
import { Agent, request } from "node:http";
import { KiB, SECRET, signDelivery, upsertSuccessBody } from "../lib.mjs";
import { expressApp } from "./express-apps.mjs";
import { fastifyApp } from "./fastify-apps.mjs";
import { listenAll } from "./serve.mjs";

const [framework, route, kib, count] = process.argv.slice(2);
const server = await (framework === "express" ? expressApp : fastifyApp)(SECRET, route);
const { [route]: port } = await listenAll({ [route]: server });
const body = upsertSuccessBody(Number(kib) * KiB);
const { host: _host, ...headers } = signDelivery(body);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function deliver() {
  return new Promise((resolve, reject) => {
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

let left = Number(count);
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (left-- > 0) await deliver();
  }),
);
process.exit(0);
