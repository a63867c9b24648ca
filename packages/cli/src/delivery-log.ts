import type { DeliveryReport, ReplayMode } from "./delivery-report.js";

/** The bytes of a delivery as received, kept so it can be replayed. */
export interface RawDelivery {
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

/** How many deliveries a session keeps (oldest dropped first). */
export const MAX_KEPT = 1000;

/**
 * The session's history: every delivery the listener received, in order, with its raw
 * bytes for replay, and the inspector pages that watch it live.
 *
 * @example
 * ```ts
 * const log = new DeliveryLog();
 * const stop = log.subscribe((report) => console.log(report.seq));
 * ```
 */
export class DeliveryLog {
  readonly reports: DeliveryReport[] = [];
  readonly #raw = new Map<number, RawDelivery>();
  readonly #watchers = new Set<(report: DeliveryReport) => void>();
  readonly #replays = new Map<string, { seq: number; mode: ReplayMode }>();
  #next = 1;

  /** The sequence number the next delivery gets. */
  nextSeq(): number {
    return this.#next++;
  }

  add(report: DeliveryReport, raw: RawDelivery): void {
    this.reports.push(report);
    this.#raw.set(report.seq, raw);
    while (this.reports.length > MAX_KEPT) {
      const dropped = this.reports.shift();
      if (dropped) this.#raw.delete(dropped.seq);
    }
    for (const watch of this.#watchers) watch(report);
  }

  raw(seq: number): RawDelivery | undefined {
    return this.#raw.get(seq);
  }

  subscribe(watch: (report: DeliveryReport) => void): () => void {
    this.#watchers.add(watch);
    return () => this.#watchers.delete(watch);
  }

  /** Marks the delivery carrying `signature` as a replay of `seq`, for when it arrives. */
  expectReplay(signature: string, seq: number, mode: ReplayMode): void {
    this.#replays.set(signature, { seq, mode });
  }

  /** The replay a signature header belongs to, once. */
  takeReplay(signature: string | undefined): { seq: number; mode: ReplayMode } | undefined {
    if (signature === undefined) return undefined;
    const replay = this.#replays.get(signature);
    this.#replays.delete(signature);
    return replay;
  }
}
