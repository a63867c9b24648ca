// The page's one piece of state: the deliveries it holds, what is selected, what the
// listener said about itself. Modules read it and call `render` after a change.
import type { DeliveryReport } from "../src/delivery-report.js";
import type { InspectorHello } from "../src/inspector-protocol.js";

/** What the page knows. */
export interface PageState {
  /** Oldest first. */
  list: DeliveryReport[];
  bySeq: Map<number, DeliveryReport>;
  /** Event types seen, for the type filter. */
  types: Set<string>;
  selected: number;
  /** True once the user picked a delivery: new ones no longer take the selection. */
  pinned: boolean;
  hello: InspectorHello | undefined;
  /** Whether the listener keeps deliveries older than the page holds (undefined: not asked yet). */
  olderKept: boolean | undefined;
}

/** The page's state. */
export const state: PageState = {
  list: [],
  bySeq: new Map(),
  types: new Set(),
  selected: 0,
  pinned: false,
  hello: undefined,
  olderKept: undefined,
};

/** The type filter's key of a delivery. */
export function typeKey(d: DeliveryReport): string {
  return d.type ?? "(none)";
}

/** Adds deliveries the page does not hold yet (newer at the end, older at the start). */
export function take(deliveries: readonly DeliveryReport[], where: "newer" | "older"): DeliveryReport[] {
  const fresh = deliveries.filter((d) => !state.bySeq.has(d.seq));
  for (const d of fresh) {
    state.bySeq.set(d.seq, d);
    state.types.add(typeKey(d));
  }
  state.list = where === "newer" ? [...state.list, ...fresh] : [...fresh, ...state.list];
  return fresh;
}

/** Whether the listener still keeps deliveries older than the oldest the page holds. */
export function hasOlder(): boolean {
  if (state.olderKept !== undefined) return state.olderKept;
  const oldest = state.hello?.oldest;
  const first = state.list[0]?.seq;
  return oldest !== undefined && first !== undefined && first > oldest;
}
