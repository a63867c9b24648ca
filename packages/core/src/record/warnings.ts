import { escapeText } from "../shared/escape-text.js";
import type { DeliverySink, DeliveryWarning } from "./delivery-log.js";
import type { DeliveryRecord } from "./delivery-record.js";

/** Svix stops waiting for an answer after about 15 s, then retries. */
export const SVIX_TIMEOUT_SECONDS = 15;
/** The default `slowHandlerMs`: a warning with 5 s to spare. */
export const DEFAULT_SLOW_HANDLER_MS = 10_000;
/** Invalid signatures within {@link WINDOW_MS} that make a burst worth a warning. */
export const BURST_THRESHOLD = 10;
const WINDOW_MS = 60_000;

/** The warnings that arrive before the damage, each kind at most once per window where it can repeat. */
export interface Warnings {
  /** A verified delivery: its signed timestamp against the clock. */
  verified(id: string, skewSeconds: number | undefined): void;
  slowHandler(id: string, eventType: string | undefined): void;
  /** Every ended attempt: counts invalid signatures. */
  ended(record: DeliveryRecord): void;
}

interface WarningSettings {
  sinks: readonly DeliverySink[];
  toleranceSeconds: number;
  slowHandlerMs: number;
  now: () => number;
  guarded: (write: () => void) => void;
}

/** A counter that resets every window: `hit()` answers the count within the current window. */
function windowCounter(now: () => number): { hit(): number } {
  let start = Number.NEGATIVE_INFINITY;
  let count = 0;
  return {
    hit() {
      const at = now();
      if (at - start >= WINDOW_MS) {
        start = at;
        count = 0;
      }
      return ++count;
    },
  };
}

function driftMessage(id: string, skew: number, tolerance: number): string {
  const when = skew >= 0 ? `${skew} s ago` : `${-skew} s in the future`;
  return (
    `Delivery ${id} was signed ${when}; tolerance ${tolerance} s. Genuine deliveries are signed as they are sent, ` +
    "so this server's clock is probably drifting: past the tolerance every delivery is refused. Sync it (NTP)."
  );
}

/**
 * Builds the warnings of one pipeline: a drifting clock (a signed timestamp off by more
 * than half the tolerance), a slow handler, a burst of invalid signatures. Drift and
 * bursts are written at most once a minute: a flood must not become a flood of warnings.
 */
export function createWarnings(settings: WarningSettings): Warnings {
  const { sinks, toleranceSeconds, slowHandlerMs, now, guarded } = settings;
  const drifts = windowCounter(now);
  const invalid = windowCounter(now);
  const warn = (warning: DeliveryWarning) => {
    for (const sink of sinks) guarded(() => sink.warn(warning));
  };
  return {
    verified(sentId, skew) {
      if (skew === undefined || Math.abs(skew) <= toleranceSeconds / 2 || drifts.hit() !== 1) return;
      const id = escapeText(sentId);
      warn({
        kind: "clock_drift",
        message: driftMessage(id, skew, toleranceSeconds),
        fields: { deliveryId: id, skewSeconds: skew, toleranceSeconds },
      });
    },
    slowHandler(sentId, sentType) {
      const id = escapeText(sentId);
      const eventType = sentType === undefined ? undefined : escapeText(sentType);
      warn({
        kind: "slow_handler",
        message:
          `The handler of delivery ${id} has run for ${slowHandlerMs / 1000} s and has not answered. Svix stops waiting at ` +
          `${SVIX_TIMEOUT_SECONDS} s and retries: answer first, then work (handOff, or a queue of your own).`,
        fields: { deliveryId: id, eventType, elapsedMs: slowHandlerMs },
      });
    },
    ended(record) {
      if (record.code !== "invalid_signature" || invalid.hit() !== BURST_THRESHOLD) return;
      warn({
        kind: "invalid_signature_burst",
        message:
          `${BURST_THRESHOLD} requests with an invalid signature within ${WINDOW_MS / 1000} s: a wrong or rotated secret, ` +
          "a proxy that re-encodes bodies, or forged traffic. Compare the secret with the one ColiVara returned for this endpoint.",
        fields: { count: BURST_THRESHOLD, windowSeconds: WINDOW_MS / 1000 },
      });
    },
  };
}
