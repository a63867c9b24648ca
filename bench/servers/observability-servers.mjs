// Process entry of the observability section: the Express "ours" route with recording off,
// with pino writing every record to a file, and with pino plus the OpenTelemetry SDK.
//   node observability-servers.mjs <off|pino|otel> <log file>
import { createServer } from "node:http";
import { openTelemetry } from "@colivara/webhooks/otel";
import { verifyColivara } from "@colivara/webhooks-express";
import { metrics, trace } from "@opentelemetry/api";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import express from "express";
import pino from "pino";
import { announce, listenAll } from "./serve.mjs";

const [variant, logFile] = process.argv.slice(2);

/** Exports by dropping: what is measured is the SDK's work in the request, not a collector's. */
const discard = { export: (_items, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };

function options() {
  if (variant === "off") return { log: false };
  const log = pino(pino.destination({ dest: logFile, sync: false }));
  if (variant === "pino") return { log };
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }));
  const reader = new PeriodicExportingMetricReader({ exporter: discard, exportIntervalMillis: 60_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return { log, telemetry: openTelemetry() };
}

const app = express();
app.post(
  "/hook",
  verifyColivara({ secret: process.env.BENCH_SECRET, limit: "2mb", dedupe: false, ...options() }),
  (req, res) => {
    res.json({ ok: true, type: req.colivara.event.type });
  },
);
announce(await listenAll({ [variant]: createServer(app) }));
