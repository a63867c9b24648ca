/**
 * Sent when an asynchronously upserted document is stored. Field names are exactly as
 * ColiVara sends them (snake_case).
 *
 * Only upserts made with `wait: false` (the default) send an event; `wait: true` upserts,
 * PATCH re-embeds and deletes send none, and a ColiVara restart during a long upsert can end
 * with no event at all (the upsert runs as an in-process background task). Do not build on
 * "every upsert produces an event": poll the document when an event is overdue.
 *
 * @example
 * ```ts
 * if (event.type === "upsert.success") console.log(event.name, event.num_pages);
 * ```
 */
export interface UpsertSuccessEvent<M = Record<string, unknown>> {
  type: "upsert.success";
  /** A fixed text ("Document upserted successfully"). */
  message: string;
  /** The document id. */
  id: number;
  name: string;
  /**
   * The `metadata` object the upsert request sent: the output of your `metadata` schema when
   * the adapter (or verifier) has one, else the object as sent.
   */
  metadata: M;
  /**
   * The document's URL: the URL it was upserted from, or, for a base64 upload, a pre-signed
   * storage link that expires after an hour. Not a stable link: store `id` or `name` instead.
   */
  url: string;
  num_pages: number;
  collection_name: string;
}

/**
 * Sent when an asynchronous upsert failed; `error` says why.
 *
 * It does not always mean "nothing was stored". A failure while embedding deletes the
 * document; an earlier one (download, conversion) can leave it with no pages (an existing
 * document's old pages are deleted first, and a base64 upload is saved before it is
 * converted); a failure in sending the success event is reported as `upsert.fail` for a
 * document that was stored. On ColiVara's cloud, a failure in consuming credits does the
 * same, and "no credits left" arrives as an `upsert.fail` (the billing code is not in
 * ColiVara's public source). Check the document's state rather than assume.
 * `name`, `metadata` and `collection_name` are the ones the upsert request sent.
 *
 * @example
 * ```ts
 * if (event.type === "upsert.fail") console.error(event.name, event.error);
 * ```
 */
export interface UpsertFailEvent<M = Record<string, unknown>> {
  type: "upsert.fail";
  /** A fixed text ("There was an error processing your document"). */
  message: string;
  name: string;
  /** The `metadata` of the upsert request: your `metadata` schema's output when there is one. */
  metadata: M;
  collection_name: string;
  /** The text of the exception ColiVara's server caught: for people and logs, not a stable code. */
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
 * Every event a verified delivery can carry. ColiVara sends them for asynchronous upserts
 * only (see {@link UpsertSuccessEvent}), to the one webhook endpoint of the account. `M` is
 * the type of `metadata` on the known types (your `metadata` schema's output).
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
export type ColivaraEvent<M = Record<string, unknown>> = UpsertSuccessEvent<M> | UpsertFailEvent<M> | UnknownEvent;

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
 * the signed timestamp and the typed event. With a `metadata` schema, the event is
 * `ColivaraEvent<Output>`: `VerifiedWebhook<ColivaraEvent<{ tenant: string }>>`.
 *
 * @example
 * ```ts
 * const { id, timestamp, event } = await verifier.verify(body, headers);
 * ```
 */
export interface VerifiedWebhook<E extends ColivaraEvent<unknown> = ColivaraEvent> {
  id: string;
  timestamp: Date;
  event: E;
}

/**
 * What `onError` receives besides the error: which delivery, if it was verified.
 *
 * @example
 * ```ts
 * const onError = (error: unknown, context: ErrorContext) => console.error(context.webhook?.id, error);
 * ```
 */
export interface ErrorContext {
  webhook?: VerifiedWebhook | undefined;
}
