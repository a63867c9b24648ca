// The traffic of one simulated day of ColiVara webhooks, decided up front from a seed:
// asynchronous upserts through the day (busier in working hours), bursts of batch uploads,
// and the extras Svix and the network produce: copies, lost answers, replays.
import { randomBytes } from "node:crypto";
import { failPayload, successPayload } from "../../../../test/conformance/deliveries.js";

export const HOUR: number = 3600;
export const DAY: number = 24 * HOUR;

/** One message ColiVara sends (one `svix-id`), and what happens to it besides its normal attempts. */
export interface PlannedMessage {
  id: string;
  /** When ColiVara sends it, in simulated seconds from midnight. */
  at: number;
  payload: Record<string, unknown>;
  /** Svix sends the first attempt twice at once (two receivers race). */
  copy: boolean;
  /** The first answer is lost on its way back: the sender sees a failure and retries. */
  loseFirstAnswer: boolean;
  /** Someone resends the exact signed request of the successful attempt, this long after it. */
  captureReplayAfter: number | undefined;
  /** The message is sent again (a new attempt, same id, new signature), this long after success. */
  resendAfter: number | undefined;
}

export interface PlanSize {
  /** Messages spread over the day. */
  baseline: number;
  bursts: number;
  /** Messages per burst, within 10 simulated minutes. */
  burstSize: number;
}

export interface DayPlan {
  messages: PlannedMessage[];
  bursts: number[];
}

/** mulberry32: a small seeded generator, so a failing day can be run again. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A time of day, three times likelier in working hours (8:00 to 19:00) than at night. */
function timeOfDay(random: () => number): number {
  for (;;) {
    const at = random() * DAY;
    const hour = at / HOUR;
    if (random() < (hour >= 8 && hour < 19 ? 1 : 1 / 3)) return at;
  }
}

/** How long the worker's handler works on a message (metadata.handleMs), in words for the report. */
export const HANDLER_DURATIONS = "5-50 ms, 1 in 50 1-2 s";

function handleMs(random: () => number): number {
  return Math.round(random() < 0.02 ? 1000 + random() * 1000 : 5 + random() * 45);
}

function message(random: () => number, at: number): PlannedMessage {
  const failed = random() < 0.12;
  const test = random() < 0.03 ? "fail-once" : undefined;
  const work = { tenant: "sim", handleMs: handleMs(random) };
  const metadata = test ? { ...work, test } : work;
  return {
    id: `msg_${randomBytes(12).toString("hex")}`,
    at,
    payload: failed ? failPayload({ metadata }) : successPayload({ metadata, id: Math.floor(random() * 1e6) }),
    copy: random() < 0.03,
    loseFirstAnswer: random() < 0.01,
    captureReplayAfter: random() < 0.02 ? random() * 120 : undefined,
    resendAfter: random() < 0.01 ? random() * 6 * HOUR : undefined,
  };
}

/** The day's messages, in the order they are sent. */
export function planDay(size: PlanSize, seed: number): DayPlan {
  const random = seeded(seed);
  const messages = Array.from({ length: size.baseline }, () => message(random, timeOfDay(random)));
  const bursts = Array.from({ length: size.bursts }, () => 8 * HOUR + random() * 11 * HOUR);
  for (const start of bursts) {
    for (let i = 0; i < size.burstSize; i++) messages.push(message(random, start + random() * 600));
  }
  messages.sort((a, b) => a.at - b.at);
  return { messages, bursts: bursts.sort((a, b) => a - b) };
}
