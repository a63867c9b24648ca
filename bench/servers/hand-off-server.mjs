// Process entry of the hand-off section (bench/hand-off.mjs): one Express app with three
// routes, Redis at REDIS_URL. Announces its port over IPC.
//   /hand-off     verifyColivara({ handOff }): a BullMQ job per delivery, answered 202
//   /inline-2s    a handler map whose handler takes 2 s (work done in the request)
//   /inline-noop  the same adapter with a handler that does nothing (its throughput ceiling)
import { setTimeout as sleep } from "node:timers/promises";
import { bullmqHandOff } from "@colivara/webhooks-bullmq";
import { verifyColivara } from "@colivara/webhooks-express";
import { Queue } from "bullmq";
import express from "express";
import { announce, listenAll } from "./serve.mjs";

const secret = process.env.BENCH_SECRET;
// Fail fast, as the README tells users to: a Redis outage must answer 503, not hang.
const connection = { url: process.env.REDIS_URL, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
const handOff = bullmqHandOff(new Queue("bench-hand-off", { connection }));
const app = express();
// Every request carries a fresh delivery id, so the default dedupe store sees new deliveries.
app.post("/hand-off", verifyColivara({ secret, handOff }));
app.post("/inline-2s", verifyColivara({ secret, on: { "upsert.success": () => sleep(2000) } }));
app.post("/inline-noop", verifyColivara({ secret, on: { "upsert.success": () => {} } }));
const { app: port } = await listenAll({ app: (await import("node:http")).createServer(app) });
announce({ app: port });
