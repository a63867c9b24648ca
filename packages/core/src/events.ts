/**
 * Sent when an asynchronously upserted document is stored. Field names are exactly as
 * ColiVara sends them (snake_case).
 *
 * @example
 * ```ts
 * if (event.type === "upsert.success") console.log(event.name, event.num_pages);
 * ```
 */
export interface UpsertSuccessEvent {
  type: "upsert.success";
  message: string;
  /** The document id. */
  id: number;
  name: string;
  metadata: Record<string, unknown>;
  url: string;
  num_pages: number;
  collection_name: string;
}

/**
 * Sent when an asynchronous upsert failed; `error` says why.
 *
 * @example
 * ```ts
 * if (event.type === "upsert.fail") console.error(event.name, event.error);
 * ```
 */
export interface UpsertFailEvent {
  type: "upsert.fail";
  message: string;
  name: string;
  metadata: Record<string, unknown>;
  collection_name: string;
  error: string;
}

/**
 * A validly signed event whose type this version of the pack does not know yet.
 * Its `type` is the literal `"unknown"` so that `switch (event.type)` still narrows the
 * known cases; the type ColiVara sent is in `originalType` and the whole body in `payload`.
 *
 * @example
 * ```ts
 * if (event.type === "unknown") console.info("new ColiVara event", event.originalType);
 * ```
 */
export interface UnknownEvent {
  type: "unknown";
  originalType: string;
  payload: Readonly<Record<string, unknown>>;
}

/**
 * Every event a verified delivery can carry.
 *
 * @example
 * ```ts
 * function describe(event: ColivaraEvent): string {
 *   switch (event.type) {
 *     case "upsert.success": return `stored ${event.name} (${event.num_pages} pages)`;
 *     case "upsert.fail": return `failed ${event.name}: ${event.error}`;
 *     case "unknown": return `unhandled ${event.originalType}`;
 *   }
 * }
 * ```
 */
export type ColivaraEvent = UpsertSuccessEvent | UpsertFailEvent | UnknownEvent;

/**
 * The type names ColiVara sends today.
 *
 * @example
 * ```ts
 * const t: KnownEventType = "upsert.fail";
 * ```
 */
export type KnownEventType = Exclude<ColivaraEvent, UnknownEvent>["type"];

/**
 * What `verify` returns: the delivery id (stable across retries, use it for idempotency),
 * the signed timestamp and the typed event.
 *
 * @example
 * ```ts
 * const { id, timestamp, event } = await verifier.verify(body, headers);
 * ```
 */
export interface VerifiedWebhook<E extends ColivaraEvent = ColivaraEvent> {
  id: string;
  timestamp: Date;
  event: E;
}
