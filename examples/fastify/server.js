// Starts the example: COLIVARA_WEBHOOK_SECRET=whsec_... node server.js
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const app = await createApp();
const address = await app.listen({ port, host });
console.log(`ColiVara webhook receiver listening on ${address}/webhooks/colivara`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}
