import type { DeliveryReport, ReplayMode } from "./delivery-report.js";

/** The bytes of a delivery as received, kept so it can be replayed. */
export interface RawDelivery {
  /** The request target's path only (see `pathOf`): never a host. */
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

/** How many deliveries a session keeps at most (oldest dropped first). */
export const MAX_KEPT = 1000;

/**
 * How many bytes the history holds at most (raw bodies kept for replay plus the bodies shown):
 * a stream of large unverified posts drops the oldest deliveries instead of growing.
 */
export const HISTORY_BYTES: number = 16 * 1024 * 1024;

/** How many deliveries an inspector page gets at once: the newest on connecting, older on asking. */
export const PAGE_SIZE: number = 50;

/** Replays sent but not arrived yet that are remembered; a listener that never sees them forgets the oldest. */
const MAX_PENDING_REPLAYS = 100;

interface PendingReplay {
  seq: number;
  mode: ReplayMode;
  arrived: (report: DeliveryReport) => void;
}

function costOf(report: DeliveryReport, raw: RawDelivery): number {
  const headers = raw.headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  return Buffer.byteLength(report.body) + raw.body.byteLength + 2 * headers + (report.app?.body?.length ?? 0);
}

/**
 * The session's history: every delivery the listener received, in order, with its raw
 * bytes for replay, and the inspector pages that watch it live. Bounded by count
 * ({@link MAX_KEPT}) and by bytes ({@link HISTORY_BYTES}).
 *
 * @example
 * ```ts
 * const log = new DeliveryLog();
 * const stop = log.subscribe((report) => console.log(report.seq));
 * ```
 */
export class DeliveryLog {
  readonly reports: DeliveryReport[] = [];
  readonly #raw = new Map<number, { raw: RawDelivery; cost: number }>();
  readonly #watchers = new Set<(report: DeliveryReport) => void>();
  readonly #replays = new Map<string, PendingReplay>();
  /** Replays that arrived, by their own seq, until their report is added. */
  readonly #arriving = new Map<number, (report: DeliveryReport) => void>();
  #next = 1;
  #bytes = 0;

  /** The sequence number the next delivery gets. */
  nextSeq(): number {
    return this.#next++;
  }

  /** Bytes the history holds now, as counted against {@link HISTORY_BYTES}. */
  get retainedBytes(): number {
    return this.#bytes;
  }

  add(report: DeliveryReport, raw: RawDelivery): void {
    const cost = costOf(report, raw);
    this.reports.push(report);
    this.#raw.set(report.seq, { raw, cost });
    this.#bytes += cost;
    // The newest delivery always stays, however large: it is the one being looked at.
    while (this.reports.length > 1 && (this.reports.length > MAX_KEPT || this.#bytes > HISTORY_BYTES)) {
      const dropped = this.reports.shift() as DeliveryReport;
      this.#bytes -= this.#raw.get(dropped.seq)?.cost ?? 0;
      this.#raw.delete(dropped.seq);
    }
    for (const watch of this.#watchers) watch(report);
    this.#arriving.get(report.seq)?.(report);
    this.#arriving.delete(report.seq);
  }

  raw(seq: number): RawDelivery | undefined {
    return this.#raw.get(seq)?.raw;
  }

  /** Up to `limit` deliveries received before `before` (all when undefined), oldest first. */
  page(before: number | undefined, limit: number = PAGE_SIZE): DeliveryReport[] {
    const end = before === undefined ? this.reports.length : this.reports.findIndex((r) => r.seq >= before);
    const stop = end === -1 ? this.reports.length : end;
    return this.reports.slice(Math.max(0, stop - limit), stop);
  }

  subscribe(watch: (report: DeliveryReport) => void): () => void {
    this.#watchers.add(watch);
    return () => this.#watchers.delete(watch);
  }

  /**
   * Marks the delivery carrying `signature` as a replay of `seq`, for when it arrives, and
   * resolves to its report once the listener has recorded it.
   */
  expectReplay(signature: string, seq: number, mode: ReplayMode): Promise<DeliveryReport> {
    return new Promise((arrived) => {
      this.#replays.set(signature, { seq, mode, arrived });
      if (this.#replays.size > MAX_PENDING_REPLAYS) this.#replays.delete(this.#replays.keys().next().value as string);
    });
  }

  /** The replay a signature header belongs to, once; `seq` is the arriving delivery's own. */
  takeReplay(signature: string | undefined, seq: number): { seq: number; mode: ReplayMode } | undefined {
    if (signature === undefined) return undefined;
    const replay = this.#replays.get(signature);
    if (replay === undefined) return undefined;
    this.#replays.delete(signature);
    this.#arriving.set(seq, replay.arrived);
    return { seq: replay.seq, mode: replay.mode };
  }
}
