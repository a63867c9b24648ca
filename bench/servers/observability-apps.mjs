// The observability section's Express routes, one per process. Ours: the "ours" route with
// recording off, with pino writing every record to a file, and with pino plus the
// OpenTelemetry SDK. The floors: the verification floor route (express.raw(), one HMAC,
// JSON.parse) writing the same log line, span and metrics by hand, the least any route that
// records as much can do; what recording costs is judged against what it costs them.
import { createServer } from "node:http";
import { openTelemetry } from "@colivara/webhooks/otel";
import { verifyColivara } from "@colivara/webhooks-express";
import { context, metrics, SpanKind, trace } from "@opentelemetry/api";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import express from "express";
import pino from "pino";
import { floorVerify } from "./serve.mjs";

/**
 * Our variants (`default`: no `log` option, one stderr line per refused attempt), then the
 * hand-written floors of the same work.
 */
export const OBSERVABILITY_ROUTES = ["off", "default", "pino", "otel", "floor-off", "floor-pino", "floor-otel"];

const limit = "2mb";
const clock = () => performance.now();

/** Exports by dropping: what is measured is the SDK's work in the request, not a collector's. */
const discard = { export: (_items, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };

function registerSdk() {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }));
  const reader = new PeriodicExportingMetricReader({ exporter: discard, exportIntervalMillis: 60_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
}

const fileLogger = (logFile) => pino(pino.destination({ dest: logFile, sync: false }));

function ours(app, secret, recording) {
  app.post("/hook", verifyColivara({ secret, limit, dedupe: false, ...recording }), (req, res) => {
    res.json({ ok: true, type: req.colivara.event.type });
  });
}

/** The record a hand-written route would log: the same fields ours writes for an accepted delivery. */
function handRecord(req, event, startedAt, verifiedAt) {
  const endedAt = clock();
  return {
    outcome: "accepted",
    status: 200,
    deliveryId: req.headers["svix-id"],
    eventType: event.type,
    durationMs: endedAt - startedAt,
    verifyMs: verifiedAt - startedAt,
    handlerMs: endedAt - verifiedAt,
    bodyBytes: req.body.length,
    skewSeconds: Math.floor(Date.now() / 1000) - Number(req.headers["svix-timestamp"]),
    secretIndex: 0,
    // trust proxy is off: the least that gives the address Express reports.
    remoteAddress: req.socket.remoteAddress,
  };
}

/** The verification floor, with `around(req, event, answer)` wrapped around its answer. */
function floor(app, secret, around) {
  app.post("/hook", express.raw({ type: "application/json", limit }), (req, res) => {
    const event = floorVerify(secret, req.headers, req.body);
    if (!event) return res.status(401).json({ ok: false });
    around(req, event, () => res.json({ ok: true, type: event.type }));
  });
}

/** The three metrics ours records, recorded by hand. */
function handMetrics() {
  const meter = metrics.getMeter("bench");
  const deliveries = meter.createCounter("colivara.webhook.deliveries");
  const verification = meter.createHistogram("colivara.webhook.verification.duration");
  const handler = meter.createHistogram("colivara.webhook.handler.duration");
  return (record) => {
    const labels = { "colivara.webhook.outcome": record.outcome, "colivara.webhook.event_type": record.eventType };
    deliveries.add(1, labels);
    verification.record(record.verifyMs / 1000, labels);
    handler.record(record.handlerMs / 1000, labels);
  };
}

const routes = {
  off: (app, secret) => ours(app, secret, { log: false }),
  default: (app, secret) => ours(app, secret, {}),
  pino: (app, secret, logFile) => ours(app, secret, { log: fileLogger(logFile) }),
  otel(app, secret, logFile) {
    registerSdk();
    ours(app, secret, { log: fileLogger(logFile), telemetry: openTelemetry() });
  },
  "floor-off": (app, secret) => floor(app, secret, (_req, _event, answer) => answer()),
  "floor-pino"(app, secret, logFile) {
    const log = fileLogger(logFile).child({ component: "colivara-webhooks" });
    floor(app, secret, (req, event, answer) => {
      const startedAt = clock();
      answer();
      log.info(handRecord(req, event, startedAt, startedAt), "webhook accepted");
    });
  },
  "floor-otel"(app, secret, logFile) {
    const log = fileLogger(logFile).child({ component: "colivara-webhooks" });
    registerSdk();
    const measure = handMetrics();
    const tracer = trace.getTracer("bench");
    floor(app, secret, (req, event, answer) => {
      const startedAt = clock();
      const parent = context.active();
      const span = tracer.startSpan("process colivara", { kind: SpanKind.CONSUMER }, parent);
      context.with(trace.setSpan(parent, span), answer);
      const record = handRecord(req, event, startedAt, startedAt);
      span.setAttributes({
        "messaging.system": "svix",
        "messaging.operation": "process",
        "messaging.message.id": record.deliveryId,
        "colivara.webhook.outcome": record.outcome,
        "colivara.webhook.event_type": record.eventType,
        "http.response.status_code": record.status,
        "messaging.message.body.size": record.bodyBytes,
        "client.address": record.remoteAddress,
      });
      span.end();
      measure(record);
      log.info(record, "webhook accepted");
    });
  },
};

/**
 * @param {string} secret
 * @param {string} route one of {@link OBSERVABILITY_ROUTES}
 * @param {string} [logFile] where pino writes (default /dev/null)
 * @returns {Promise<import("node:http").Server>} not listening yet
 */
export async function observabilityApp(secret, route, logFile = "/dev/null") {
  const app = express();
  routes[route](app, secret, logFile);
  return createServer(app);
}
