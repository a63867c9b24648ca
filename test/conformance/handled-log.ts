// What the conformance apps' handlers saw, in the shape suite.ts reads back.
import type { VerifiedWebhook, WebhookHandlers } from "@colivara/webhooks";
import type { HandledRecord } from "./suite.js";

export function createHandledLog(): {
  record: (route: HandledRecord["route"], webhook: VerifiedWebhook) => void;
  handled: () => Promise<HandledRecord[]>;
  /** The contract's handler map: record every type; `upsert.fail` named "explode" throws. */
  on: WebhookHandlers;
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
