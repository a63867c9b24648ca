// The run's size and shape, from the environment test/load/run.mjs sets from its flags.
import { appendFileSync } from "node:fs";
import { DEFAULT_TARGETS, TARGET_NAMES, type TargetName } from "./targets.js";
import { type Kind, WEIGHTS } from "./traffic.js";

export interface LoadConfig {
  /** Requests of the hostile mix per target. */
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Slow uploads in flight at once during the slow-upload phase, and how many rounds of them. */
  tricklers: number;
  trickleRounds: number;
  targets: TargetName[];
  seed: number;
  /** Only these kinds of the mix (for investigating one); default all. */
  kinds: Kind[] | undefined;
  /** Where the one-line figures go (JSON lines), for run.mjs to print at the end. */
  resultsFile: string | undefined;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

export function loadConfig(): LoadConfig {
  const targets = (process.env.LOAD_TARGETS || DEFAULT_TARGETS.join(","))
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of targets) {
    if (!TARGET_NAMES.includes(name as TargetName)) {
      throw new Error(`LOAD_TARGETS: unknown target ${name}; known: ${TARGET_NAMES.join(", ")}`);
    }
  }
  const kinds = process.env.LOAD_KINDS ? process.env.LOAD_KINDS.split(",").map((kind) => kind.trim()) : undefined;
  for (const kind of kinds ?? []) {
    if (!(kind in WEIGHTS))
      throw new Error(`LOAD_KINDS: unknown kind ${kind}; known: ${Object.keys(WEIGHTS).join(", ")}`);
  }
  return {
    kinds: kinds as Kind[] | undefined,
    requests: positiveInteger("LOAD_REQUESTS", 20_000),
    concurrency: positiveInteger("LOAD_CONCURRENCY", 64),
    tricklers: positiveInteger("LOAD_TRICKLERS", 256),
    trickleRounds: positiveInteger("LOAD_TRICKLE_ROUNDS", 3),
    targets: targets as TargetName[],
    seed: positiveInteger("LOAD_SEED", 1 + Math.floor(Math.random() * 1e9)),
    resultsFile: process.env.LOAD_RESULTS || undefined,
  };
}

/** One line of results for run.mjs's summary. */
export function report(config: LoadConfig, record: Record<string, unknown>): void {
  if (config.resultsFile) appendFileSync(config.resultsFile, `${JSON.stringify(record)}\n`);
}
