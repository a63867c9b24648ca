// Control characters from the network never reach a log, a span or an error message raw:
// over real HTTP (raw bytes on a socket), a delivery whose X-Forwarded-For (behind a trusted
// proxy), svix-id, metadata keys and event type carry line breaks, terminal sequences, C1
// controls and line separators, through the default stderr output, a pino logger and an
// OpenTelemetry span. HTTP carries no C0 control in a header value (Node answers 400), but
// it carries bytes 0x80–0xFF, which Node reads as the C1 controls U+0080–U+00FF.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { format } from "node:util";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import express from "express";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { newSecret, signIndependently } from "../../../test/support/independent-signer.js";
import { openTelemetry } from "../../core/src/otel.js";
import { type ColivaraWebhookOptions, verifyColivara } from "../src/index.js";
import { sendRaw } from "./support/raw-request.js";

const secret = newSecret();
const FORGED = "[colivara-webhooks] 204 forged line";
/** U+0085 (a newline to some readers), U+009B (a terminal's CSI), U+2028 as its UTF-8 bytes. */
const IN_HEADER = `\u0085${FORGED}\u009b2J\u00e2\u0080\u00a8`;
/** The same text escaped: U+0080 is a C1 control, the Latin-1 letters around it are printable. */
const SHOWN_IN_HEADER = `\\x85${FORGED}\\x9b2J\u00e2\\x80\u00a8`;
const ADDRESS = `203.0.113.9${IN_HEADER}`;
const ID = `msg_${IN_HEADER}`;
const KEYS = [`k\n${FORGED}`, `k\r${FORGED}`, "k\u001b[2J", "k\u0085", "k\u009b31m", "k\u2028"];
/** What no written string may hold raw (a newline is allowed only between lines). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

const servers: Server[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(options: ColivaraWebhookOptions): Promise<number> {
  const app = express();
  app.set("trust proxy", true);
  app.post("/hook", verifyColivara({ secret, metadata: z.record(z.string(), z.string()), ...options }), (_q, res) => {
    res.sendStatus(204);
  });
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** A genuine delivery whose metadata keys fail the schema, one of an event type of its own, and a forgery. */
async function sendHostile(port: number): Promise<number[]> {
  const metadata = Object.fromEntries(KEYS.map((key) => [key, 1]));
  const refused = JSON.stringify({
    type: "upsert.fail",
    message: "m",
    name: "n",
    metadata,
    collection_name: "c",
    error: "e",
  });
  const unknownType = JSON.stringify({ type: `upsert.next\n${FORGED}\u0085\u2028`, metadata });
  const send = (body: string, id: string, headers: Record<string, string> = {}) =>
    sendRaw({
      port,
      path: "/hook",
      body,
      headers: { ...signIndependently(secret, body, { id }).headers, "x-forwarded-for": ADDRESS, ...headers },
    });
  return [
    await send(refused, ID),
    await send(unknownType, `${ID}_2`),
    await send(refused, ID, { "svix-signature": `v1,${Buffer.alloc(32).toString("base64")}` }),
  ];
}

function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) stringsIn(item, found);
  return found;
}

describe("express: what the network sends is escaped wherever it is written", () => {
  it("the default stderr output: one line per line written, no raw control character", async () => {
    const warned: string[] = [];
    const errored: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warned.push(format(...args)));
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errored.push(format(...args)));
    expect(await sendHostile(await serve({}))).toEqual([422, 204, 401]);
    // The forgery's refusal line (the sink), and the metadata refusal through the default onError.
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^\[colivara-webhooks\] 401 invalid_signature from 203\.0\.113\.9\\x85/);
    expect(errored).toHaveLength(1);
    const output = [...warned, ...errored].join("\n");
    expect(output).not.toMatch(RAW_CONTROL);
    const lines = output.split("\n");
    expect(lines.filter((line) => line.startsWith("[colivara-webhooks]"))).toHaveLength(2);
    expect(lines.filter((line) => line.includes(FORGED) && !line.includes("\\x"))).toEqual([]);
    expect(errored[0]).toContain("metadata.k\\x0a[colivara-webhooks] 204 forged line: ");
  });

  it("a pino logger's records hold no raw control character in any string", async () => {
    const records: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim() !== "") records.push(JSON.parse(line));
        done();
      },
    });
    await sendHostile(await serve({ log: pino({ level: "info" }, stream), onError: () => {} }));
    expect(records.map((record) => record.outcome)).toEqual(["aborted", "accepted", "rejected"]);
    for (const text of stringsIn(records)) expect(text).not.toMatch(RAW_CONTROL);
    expect(records[0]?.deliveryId).toBe(`msg_${SHOWN_IN_HEADER}`);
    expect(records[0]?.msg).toMatch(/^webhook refused for good \(metadata schema\): The metadata of upsert\.fail/);
    expect(records[1]?.eventType).toBe("upsert.next\\x0a[colivara-webhooks] 204 forged line\\x85\\u2028");
    expect(records[2]?.remoteAddress).toBe(`203.0.113.9${SHOWN_IN_HEADER}`);
  });

  it("the span's attributes and the metrics' attributes are escaped", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new (class extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    })();
    const meter = new MeterProvider({ readers: [reader] }).getMeter("test");
    const telemetry = openTelemetry({ tracer: provider.getTracer("test"), meter });
    await sendHostile(await serve({ log: false, telemetry, onError: () => {} }));
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    for (const span of spans) for (const text of stringsIn(span.attributes)) expect(text).not.toMatch(RAW_CONTROL);
    expect(spans[0]?.attributes["client.address"]).toMatch(/^203\.0\.113\.9\\x85/);
    expect(spans[0]?.attributes["messaging.message.id"]).toMatch(/^msg_\\x85/);
    expect(spans[1]?.attributes["colivara.webhook.event_type"]).toMatch(/^upsert\.next\\x0a/);
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((m) => m.dataPoints.map((point) => point.attributes)),
    );
    expect(points.some((attributes) => attributes["colivara.webhook.event_type"] !== undefined)).toBe(true);
    for (const text of stringsIn(points)) expect(text).not.toMatch(RAW_CONTROL);
    await provider.shutdown();
  });
});
