// What the conformance apps' handlers saw, in the shape suite.ts reads back, and the delivery
// records the adapters wrote to a real pino logger.
import { Writable } from "node:stream";
import type { ColivaraEvent, DeadLetter, VerifiedWebhook, WebhookHandlers, WebhookLogger } from "@colivara/webhooks";
import pino from "pino";
import { z } from "zod";
import type { HandledRecord } from "./suite.js";

/** The `metadata` schema of every app's metadata route: a tenant, other keys stripped. */
export const ConformanceMetadata: z.ZodObject<{ tenant: z.ZodString }> = z.object({ tenant: z.string().min(1) });

/** A real pino logger whose JSON lines are kept, parsed, in memory. */
export function recordingLogger(): { log: WebhookLogger; records: () => Promise<Record<string, unknown>[]> } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino(stream), records: async () => [...lines] };
}

export function createHandledLog(): {
  record: (route: HandledRecord["route"], webhook: VerifiedWebhook) => void;
  handled: () => Promise<HandledRecord[]>;
  /** The contract's handler map: record every type; `upsert.fail` named "explode" throws. */
  on: WebhookHandlers;
  /** The `log` option for the webhook routes, and what it recorded. */
  log: WebhookLogger;
  records: () => Promise<Record<string, unknown>[]>;
  /** The metadata route's handler: records the typed metadata it got (route "metadata"). */
  recordTyped: (webhook: VerifiedWebhook<ColivaraEvent<z.infer<typeof ConformanceMetadata>>>) => void;
  /** The metadata route's deadLetter: records what it kept (route "dead-letter"). */
  deadLetter: DeadLetter;
} {
  const { log, records: logged } = recordingLogger();
  const records: HandledRecord[] = [];
  const record = (route: HandledRecord["route"], { id, event }: VerifiedWebhook) => {
    records.push({
      route,
      id,
      type: event.type,
      ...(event.type === "unknown" ? { originalType: event.originalType } : { name: event.name }),
    });
  };
  return {
    record,
    recordTyped: ({ id, event }) => {
      if (event.type === "unknown") return;
      // Keys the schema strips must not reach the handler.
      records.push({ route: "metadata", id, type: event.type, metadata: event.metadata });
    },
    deadLetter: (webhook, error) => {
      records.push({ route: "dead-letter", id: webhook.id, type: webhook.event.type, code: error.code });
    },
    handled: async () => [...records],
    log,
    records: logged,
    on: {
      "upsert.success": (_event, webhook) => record("handlers", webhook),
      "upsert.fail": (event, webhook) => {
        if (event.name === "explode") throw new Error("handler exploded");
        record("handlers", webhook);
      },
      unknown: (_event, webhook) => record("handlers", webhook),
    },
  };
}
