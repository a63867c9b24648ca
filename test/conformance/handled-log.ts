// What the conformance apps' handlers saw, in the shape suite.ts reads back.
import type { VerifiedWebhook } from "@colivara/webhooks";
import type { HandledRecord } from "./suite.js";

export function createHandledLog(): {
  record: (route: HandledRecord["route"], webhook: VerifiedWebhook) => void;
  handled: () => Promise<HandledRecord[]>;
} {
  const records: HandledRecord[] = [];
  return {
    record(route, { id, event }) {
      records.push({
        route,
        id,
        type: event.type,
        ...(event.type === "unknown" ? { originalType: event.originalType } : { name: event.name }),
      });
    },
    handled: async () => [...records],
  };
}
