// Judges a simulated day: every delivery a receiver accepted is handled exactly once; one
// never accepted is handled never, and is allowed only when the sender gave up because
// every attempt fell inside the outage. Counts everything else worth printing.
import { MARK_RETRY_MS } from "@colivara/webhooks/adapter";
import { HANDLER_DURATIONS, HOUR } from "./day-plan.js";
import { type AttemptLog, type MessageLog, SVIX_DELAYS } from "./svix-sender.js";

export interface Window {
  from: number;
  to: number;
}

export type Figures = Record<string, number | string>;

const inside = (window: Window, attempt: AttemptLog) => attempt.at >= window.from && attempt.at <= window.to;

function outcomeName(outcome: AttemptLog["outcome"]): string {
  return typeof outcome === "number" ? `http ${outcome}` : outcome;
}

/** Attempts by kind and by outcome. */
function attemptFigures(logs: MessageLog[]): Figures {
  const figures: Record<string, number> = {};
  const add = (name: string) => {
    figures[name] = (figures[name] ?? 0) + 1;
  };
  for (const log of logs) {
    log.attempts.forEach((attempt, index) => {
      add(`attempts: ${attempt.kind}`);
      add(`answers: ${outcomeName(attempt.outcome)}`);
      if (attempt.kind === "attempt" && index > 0) add("attempts: retries");
    });
  }
  return figures;
}

/** What each message should have been handled: once if some receiver accepted it, else never. */
function violations(logs: MessageLog[], handled: Map<string, number>, outage: Window): string[] {
  const found: string[] = [];
  const planned = new Set(logs.map((log) => log.message.id));
  for (const log of logs) {
    const { id } = log.message;
    const runs = handled.get(id) ?? 0;
    if (runs !== (log.stored ? 1 : 0)) found.push(`${id}: handled ${runs} times (accepted: ${log.stored})`);
    const scheduled = log.attempts.filter((attempt) => attempt.kind === "attempt");
    if (!log.delivered && !scheduled.every((attempt) => inside(outage, attempt))) {
      found.push(`${id}: the sender gave up, with attempts outside the outage`);
    }
  }
  for (const id of handled.keys()) if (!planned.has(id)) found.push(`${id}: handled but never sent`);
  return found;
}

/** The verdict and the figures of one day. */
export function judge(
  logs: MessageLog[],
  handled: Map<string, number>,
  outage: Window,
): { figures: Figures; violations: string[] } {
  const mostAttempts = Math.max(0, ...logs.map((log) => log.attempts.filter((a) => a.kind === "attempt").length));
  const figures: Figures = {
    messages: logs.length,
    "outage (simulated minutes)": Math.round((outage.to - outage.from) / 60),
    "outage starts at (hour)": (outage.from / HOUR).toFixed(2),
    delivered: logs.filter((log) => log.delivered).length,
    "gave up (every attempt inside the outage)": logs.filter((log) => !log.delivered).length,
    "accepted by a receiver": logs.filter((log) => log.stored).length,
    "handled once": [...handled.values()].filter((runs) => runs === 1).length,
    "handled twice or more": [...handled.values()].filter((runs) => runs > 1).length,
    "handled never": logs.filter((log) => !handled.has(log.message.id)).length,
    "handled never though accepted": logs.filter((log) => log.stored && !handled.has(log.message.id)).length,
    "deliveries with a first attempt inside the outage": logs.filter((log) =>
      inside(outage, log.attempts[0] as AttemptLog),
    ).length,
    "most attempts for one message": mostAttempts,
    ...attemptFigures(logs),
  };
  return { figures, violations: violations(logs, handled, outage) };
}

/** A simulated duration in words: "5 s", "30 min", "2 h". */
function simulated(seconds: number): string {
  if (seconds >= HOUR) return `${seconds / HOUR} h`;
  return seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}

const realMs = (ms: number): string => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${+ms.toFixed(1)} ms`);

/**
 * How simulated time maps onto the timers: what follows the simulated clock (the traffic,
 * Svix's retry schedule, the day's faults) and what runs in real time (handlers, the
 * claim's lease, BullMQ's lock and stalled check, the mark's retry bound, a failover).
 */
export function timeMapping(
  msPerHour: number,
  timers: { leaseSeconds: number; lockMs: number; stalledMs: number },
): string {
  const toReal = (seconds: number) => realMs((seconds / HOUR) * msPerHour);
  const schedule = [...new Set(SVIX_DELAYS.filter((delay) => delay > 0))]
    .map((delay) => `${simulated(delay)}=${toReal(delay)}`)
    .join(", ");
  const inSimulatedHours = (ms: number) => `${+(ms / msPerHour).toFixed(2)} simulated h`;
  return [
    `traffic, faults and Svix's retry schedule follow the simulated clock, 1 h = ${msPerHour} ms (${schedule})`,
    `real time, not compressed: handlers (${HANDLER_DURATIONS}), the claim's lease ${timers.leaseSeconds} s (${inSimulatedHours(timers.leaseSeconds * 1000)}), BullMQ's lock ${realMs(timers.lockMs)} and stalled check every ${realMs(timers.stalledMs)}, the mark's retry bound ${realMs(MARK_RETRY_MS)}, and a Redis failover`,
  ].join("; ");
}
