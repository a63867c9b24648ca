// What the conformance apps' handlers saw, in the shape suite.ts reads back.
import type { ColivaraEvent, DeadLetter, VerifiedWebhook, WebhookHandlers } from "@colivara/webhooks";
import { z } from "zod";
import type { HandledRecord } from "./suite.js";

/** The `metadata` schema of every app's metadata route: a tenant, other keys stripped. */
export const ConformanceMetadata: z.ZodObject<{ tenant: z.ZodString }> = z.object({ tenant: z.string().min(1) });

export function createHandledLog(): {
  record: (route: HandledRecord["route"], webhook: VerifiedWebhook) => void;
  handled: () => Promise<HandledRecord[]>;
  /** The contract's handler map: record every type; `upsert.fail` named "explode" throws. */
  on: WebhookHandlers;
  /** The metadata route's handler: records the typed metadata it got (route "metadata"). */
  recordTyped: (webhook: VerifiedWebhook<ColivaraEvent<z.infer<typeof ConformanceMetadata>>>) => void;
  /** The metadata route's deadLetter: records what it kept (route "dead-letter"). */
  deadLetter: DeadLetter;
} {
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
