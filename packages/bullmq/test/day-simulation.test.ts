// A day of ColiVara webhook traffic, time-compressed, on a Redis Cluster: bursts of
// asynchronous upserts with handlers of 5 ms to 2 s, Svix's retry schedule, copies, lost
// answers, replays, receivers crashed, workers killed mid-job and restarted gracefully, a
// Redis primary killed (its replica promoted, the node back as a replica), an hour-long
// endpoint outage. Every delivery a receiver accepted is handled exactly once; the only
// deliveries allowed to be lost are those whose every attempt fell inside the outage; the
// faults did happen, and at least one job came back after its worker was killed between
// its handled mark and BullMQ's completion. The suite runs a small day; `pnpm simulate`
// (SIMULATION=full) the full one. Figures are printed; nothing about time is asserted.
import { expect, test } from "vitest";
import { type DaySize, simulateDay } from "./simulation/day-run.js";

const FULL = process.env.SIMULATION === "full";
const SMALL: DaySize = { baseline: 300, bursts: 3, burstSize: 60, msPerHour: 1000, seed: 21, primaryKills: [10.5] };
const LARGE: DaySize = {
  ...{ baseline: 4000, bursts: 12, burstSize: 300, msPerHour: 5000, seed: 2021 },
  primaryKills: [10.5, 21],
};

test(
  `a simulated day (${FULL ? "full" : "small"} size): every accepted delivery handled exactly once`,
  async () => {
    const size = FULL ? LARGE : SMALL;
    const started = performance.now();
    const { figures, violations } = await simulateDay(size);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`[day] ${JSON.stringify({ ...figures, "real seconds": seconds })}`);
    expect(violations.slice(0, 20)).toEqual([]);
    expect(figures["handled twice or more"]).toBe(0);
    expect(figures.primariesKilled).toBe(size.primaryKills.length);
    expect(figures.workersKilled).toBe(2);
    expect(figures["jobs killed after their mark, before BullMQ completed them"]).toBeGreaterThan(0);
  },
  30 * 60_000,
);
