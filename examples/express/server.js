// Starts the example: COLIVARA_WEBHOOK_SECRET=whsec_... node server.js
// Optional: PORT, HOST, COLIVARA_READ_TIMEOUT_MS (how long a request body may take to
// arrive before a 408; default 10000), COLIVARA_LOG=json (a pino JSON record of every
// attempt on stdout, as production would ship to its log store).
import pino from "pino";
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const readTimeoutMs = process.env.COLIVARA_READ_TIMEOUT_MS ? Number(process.env.COLIVARA_READ_TIMEOUT_MS) : undefined;
const server = createApp({
  readTimeoutMs,
  deliveryLog: process.env.COLIVARA_LOG === "json" ? pino() : undefined,
}).listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`ColiVara webhook receiver listening on http://${host}:${actual}/webhooks/colivara`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
