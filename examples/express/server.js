// Starts the example: COLIVARA_WEBHOOK_SECRET=whsec_... node server.js
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const server = createApp().listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`ColiVara webhook receiver listening on http://${host}:${actual}/webhooks/colivara`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
