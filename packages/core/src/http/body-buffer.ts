/**
 * Up to this, a declared Content-Length is trusted for the first allocation: every real
 * ColiVara event fits, so a body that arrives in several chunks is copied once. Above it the
 * buffer grows towards the declared size instead, so a client that declares 1 MiB and sends
 * a few bytes reserves no more than this for the whole read timeout; once half the declared
 * length has arrived, the rest is reserved in one step (see {@link BodyBuffer}).
 */
const EAGER_BYTES = 64 * 1024;
/** The first allocation when nothing better is known: small bodies stay small. */
const MIN_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * Collects a request body's chunks into one buffer, however the sender cuts them, so the
 * memory held while reading stays about the body's size: a chunk is copied in and then
 * dropped, never kept as its own object (a body sent one byte per chunk would otherwise cost
 * a hundred bytes of heap per byte). The buffer grows geometrically, never past `limit`, and
 * never past a declared Content-Length the body has kept to so far, so an honest body ends
 * in a buffer of exactly its size.
 *
 * This is the one place the readers' speed tricks live: a body that arrives as a single
 * chunk (the usual delivery) is kept as that chunk, with no allocation or copy.
 *
 * @example
 * ```ts
 * const buffer = new BodyBuffer(receiver.limit, Number(headers["content-length"]));
 * if (!buffer.append(chunk)) throw payloadTooLarge(receiver.limit);
 * const body = buffer.bytes();
 * ```
 */
export class BodyBuffer {
  readonly #limit: number;
  /** The declared length when it is a valid size within the limit, else -1. */
  readonly #declared: number;
  /** The only chunk so far, kept as is until a second one arrives. */
  #first: Uint8Array | undefined;
  #bytes: Uint8Array | undefined;
  #length = 0;

  /**
   * @param limit - Most bytes accepted; {@link BodyBuffer.append} refuses a chunk past it.
   * @param declared - The Content-Length the sender declared, if any (a hint for sizing only;
   *   the limit is enforced on what arrives).
   */
  constructor(limit: number, declared?: number) {
    this.#limit = limit;
    // Equivalent mutants left standing, as a Stryker directive on this line would silence the
    // killed ones too: `declared !== undefined` as true (isSafeInteger(undefined) is false), and
    // `declared >= 0` as true or `> 0` (#grow runs from 2 bytes on, so a length under 2 caps nothing).
    this.#declared =
      // Stryker disable next-line UnaryOperator: -1 or +1 alike cap nothing, as #grow runs from 2 bytes on
      declared !== undefined && Number.isSafeInteger(declared) && declared >= 0 && declared <= limit ? declared : -1;
  }

  /** Bytes collected so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Adds `chunk` (a string is taken as UTF-8). Returns false, adding nothing, when it would
   * take the body past the limit: the caller answers 413 and stops reading.
   */
  append(chunk: Uint8Array | string): boolean {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    const needed = this.#length + bytes.byteLength;
    if (needed > this.#limit) return false;
    if (bytes.byteLength === 0) return true;
    if (this.#length === 0) {
      this.#first = bytes;
      this.#length = needed;
      return true;
    }
    if (this.#bytes === undefined || needed > this.#bytes.byteLength) this.#grow(needed);
    const target = this.#bytes as Uint8Array;
    target.set(bytes, this.#length);
    this.#length = needed;
    return true;
  }

  /** The body so far: the single chunk itself, or a view of the collected bytes (no copy). */
  bytes(): Uint8Array {
    if (this.#bytes === undefined) return this.#first ?? new Uint8Array(0);
    // Equivalent mutant left standing (the directive would silence the killed `true`): the test as
    // false gives subarray(0, length) of a full buffer, the same bytes in the same memory.
    return this.#bytes.byteLength === this.#length ? this.#bytes : this.#bytes.subarray(0, this.#length);
  }

  #grow(needed: number): void {
    const held = this.#bytes?.byteLength ?? 0;
    let size = Math.max(needed, held * 2, MIN_BYTES);
    // A declared length the body has not passed yet caps the growth (an honest body ends
    // exactly full). It is trusted when small, or once half of it has arrived: the buffer
    // then holds at most twice the bytes received, the bound doubling keeps anyway, and a
    // body just over EAGER_BYTES is copied once more instead of once per doubling.
    const declared = this.#declared;
    if (declared >= needed)
      size = declared <= EAGER_BYTES || declared <= needed * 2 ? declared : Math.min(size, declared);
    size = Math.max(needed, Math.min(size, this.#limit));
    const grown = new Uint8Array(size);
    if (this.#bytes === undefined) grown.set(this.#first as Uint8Array);
    else grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    // The first chunk is a view into the transport's read buffer: let it go.
    this.#first = undefined;
  }
}
