// The sender side of the simulation: Svix's retry schedule on a compressed clock, each
// attempt signed afresh by the real svix package and sent to whichever receiver the load
// balancer picks, plus the copies, lost answers and replays the plan asks for.
import { setTimeout as sleep } from "node:timers/promises";
import { type Delivery, sign } from "../../../../test/conformance/deliveries.js";
import { HOUR, type PlannedMessage } from "./day-plan.js";

/** Svix's retry schedule: the delay before each attempt (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
export const SVIX_DELAYS: readonly number[] = [0, 5, 5 * 60, 30 * 60, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** Simulated seconds since the day started, on a clock where an hour lasts `msPerHour` real ms. */
export class SimClock {
  private readonly origin = performance.now();
  constructor(readonly msPerHour: number) {}
  now(): number {
    return ((performance.now() - this.origin) / this.msPerHour) * HOUR;
  }
  async until(at: number): Promise<void> {
    const ms = ((at - this.now()) * this.msPerHour) / HOUR;
    if (ms > 0) await sleep(ms);
  }
}

/** What an attempt got: an HTTP status, a network error (nobody listening), or an answer lost on the way back. */
export type Outcome = number | "network" | "lost";

export interface AttemptLog {
  at: number;
  outcome: Outcome;
  kind: "attempt" | "copy" | "capture" | "resend";
}

export interface MessageLog {
  message: PlannedMessage;
  attempts: AttemptLog[];
  /** The sender saw a 2xx: Svix stops retrying. */
  delivered: boolean;
  /** Some receiver answered 2xx, seen by the sender or not: the delivery is in the queue. */
  stored: boolean;
}

export interface SenderContext {
  clock: SimClock;
  secret: string;
  /** The load balancer: a receiver's base URL (a dead one while the endpoint is down). */
  pick(): string;
}

const ok = (outcome: Outcome) => typeof outcome === "number" && outcome >= 200 && outcome < 300;

async function post(url: string, delivery: Delivery): Promise<Outcome> {
  try {
    const response = await fetch(`${url}/hand-off`, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return "network";
  }
}

/** One scheduled attempt (twice at once for a copy); a lost answer looks like a failure to the sender. */
async function attempt(context: SenderContext, log: MessageLog, delivery: Delivery, index: number): Promise<boolean> {
  const { message, attempts } = log;
  const at = context.clock.now();
  const copy = index === 0 && message.copy;
  const outcomes = await Promise.all([post(context.pick(), delivery), copy ? post(context.pick(), delivery) : null]);
  if (outcomes.some((outcome) => outcome !== null && ok(outcome))) log.stored = true;
  const lost = index === 0 && message.loseFirstAnswer && ok(outcomes[0] as Outcome);
  attempts.push({ at, outcome: lost ? "lost" : (outcomes[0] as Outcome), kind: "attempt" });
  if (copy) attempts.push({ at, outcome: outcomes[1] as Outcome, kind: "copy" });
  return !lost && outcomes.some((outcome) => outcome !== null && ok(outcome));
}

/** After success: the captured request sent again as it was, and a later resend with the same id. */
async function extras(context: SenderContext, log: MessageLog, delivered: Delivery, deliveredAt: number) {
  const { message, attempts } = log;
  const send = async (kind: AttemptLog["kind"], at: number, delivery: Delivery) => {
    await context.clock.until(at);
    attempts.push({ at: context.clock.now(), outcome: await post(context.pick(), delivery), kind });
  };
  await Promise.all([
    message.captureReplayAfter === undefined
      ? null
      : send("capture", deliveredAt + message.captureReplayAfter, delivered),
    message.resendAfter === undefined
      ? null
      : send("resend", deliveredAt + message.resendAfter, sign(context.secret, message.payload, { id: message.id })),
  ]);
}

/** Delivers one message the way Svix does; resolves with every attempt once it is done or given up. */
export async function deliverMessage(context: SenderContext, message: PlannedMessage): Promise<MessageLog> {
  const log: MessageLog = { message, attempts: [], delivered: false, stored: false };
  let due = message.at;
  for (const [index, delay] of SVIX_DELAYS.entries()) {
    due += delay;
    await context.clock.until(due);
    const delivery = sign(context.secret, message.payload, { id: message.id });
    if (await attempt(context, log, delivery, index)) {
      log.delivered = true;
      await extras(context, log, delivery, context.clock.now());
      break;
    }
  }
  return log;
}
